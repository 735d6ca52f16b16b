/* tanzuji: what the page says when an htmx request fails without an answer to show.
 *
 * 4xx answers carry the error fragment and htmx swaps it into the form's target (see the
 * htmx-config in base.html). A 5xx, a network error or a timeout has nothing to show: a short
 * message goes into #request-status, worded by the server in the page's language (its data-*
 * attributes), with the incident id of a 500 (its fragment is not swapped; the error page of a
 * whole-page request shows the same id). No inline script, no eval: the Content-Security-Policy
 * allows 'self' only. */
(function () {
  "use strict";

  function box() {
    return document.getElementById("request-status");
  }

  function say(kind) {
    var el = box();
    if (!el) return;
    el.textContent = el.getAttribute("data-" + kind) || el.getAttribute("data-server-error") || "";
  }

  // a 500 names the incident the server logged (X-Incident-Id), for the administrator
  function sayServerError(xhr) {
    var el = box();
    var id = (xhr && xhr.getResponseHeader("X-Incident-Id")) || "";
    var text = el && el.getAttribute("data-server-error-incident");
    if (el && text && /^[0-9a-f]{4,32}$/.test(id)) el.textContent = text.replace("{id}", id);
    else say("server-error");
  }

  function clear() {
    var el = box();
    if (!el || !el.textContent) return;
    el.textContent = "";
  }

  function isHtml(xhr) {
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    return type.indexOf("text/html") === 0;
  }

  // an error answer that is not our HTML fragment (JSON, plain text) is never put in the page
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status >= 400 && !isHtml(xhr)) evt.detail.shouldSwap = false;
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status >= 500) sayServerError(xhr);
    else if (!isHtml(xhr)) say("refused");
    else clear(); // the fragment, swapped into the form's target, says what went wrong
  });

  document.addEventListener("htmx:sendError", function () {
    say("network-error");
  });

  document.addEventListener("htmx:timeout", function () {
    say("timeout");
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    if (evt.detail && evt.detail.successful === true) clear();
  });

  document.addEventListener("click", function (evt) {
    if (evt.target === box()) clear();
  });
})();
