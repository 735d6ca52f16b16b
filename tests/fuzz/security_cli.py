"""Run every shared security case through the installed CLI; one result line per case.

    python -m tests.fuzz.security_cli ../shared/security-cases KEYDIR [CASE ...]

KEYDIR holds KEY.pem/CERT.pem (for case Y: a certificate naming the evaluator "100% 王五"),
and meter.png (the picture of the HTML-payload study). docs/robustness.md lists the results.
"""

# ruff: noqa
import http.server, shutil, subprocess, sys, threading, tempfile, resource
from pathlib import Path

EXE = str(Path(sys.executable).with_name("tanzuji"))
hits = []
CASES = KEYS = Path()


class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *a):
        pass


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run(name, folder, args):
    work = Path(tempfile.mkdtemp(prefix="robust-sec-"))
    for f in folder.iterdir():
        shutil.copy(f, work / f.name) if f.is_file() else None
    if name == "report/html-payload":  # its picture is not in the shared folder
        shutil.copy(KEYS / "meter.png", work / "meter.png")
        st = work / "html-payload-study.yaml"
        st.write_text(st.read_text().replace("meter.svg", "meter.png"))
    for f in ("KEY.pem", "CERT.pem"):
        shutil.copy(KEYS / f, work / f)
    args = [a.replace("OUT.pdf", "out.pdf") for a in args]
    try:
        p = subprocess.run(
            [EXE, "--lang", "en", *args] if False else [EXE, *args],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=limit,
        )
        code, err, out = p.returncode, p.stderr.strip(), p.stdout
    except subprocess.TimeoutExpired:
        code, err, out = "TIMEOUT", "", ""
    lines = [l for l in err.splitlines() if l.strip()]
    tb = "Traceback" in err or "Traceback" in out
    made = sorted(x.name for x in work.iterdir() if x.suffix in (".pdf", ".html"))
    if "out.html" in made:
        html = (work / "out.html").read_text()
        raw = [
            "<script>alert",
            '<link rel="stylesheet" href="http',
            "<iframe",
            'href="javascript:',
            "<img src=x",
        ]
        made.append("raw payloads in HTML: " + str([r for r in raw if r in html]))
    print(
        f"{name}\texit={code}\tstderr_lines={len(lines)}\ttraceback={tb}\toutputs={made}\t{lines[0][:160] if lines else out.strip().splitlines()[0][:120] if out.strip() else ''}"
    )
    sys.stdout.flush()


def main() -> None:
    global CASES, KEYS
    CASES, KEYS = Path(sys.argv[1]), Path(sys.argv[2])
    srv = http.server.HTTPServer(("127.0.0.1", 8765), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    only = sys.argv[3:]
    for d in sorted((CASES / "studies").iterdir()):
        if only and d.name not in only:
            continue
        cmd = (d / "cmd").read_text().split()
        study = next(p.name for p in d.iterdir() if p.name.startswith("study."))
        run(d.name, d, [*cmd, study])
    for d in ("ext_http", "ext_file"):
        run(
            f"report/{d}",
            CASES / "report" / d,
            ["report", "--out", "out.pdf", "--html", "out.html", "study.yaml"],
        )
    run(
        "report/html-payload",
        CASES / "report",
        ["report", "--out", "out.pdf", "--html", "out.html", "html-payload-study.yaml"],
    )
    print("HTTP requests received:", hits)


if __name__ == "__main__":
    main()
