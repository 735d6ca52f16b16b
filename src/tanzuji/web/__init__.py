"""The web platform: REST API, browser UI (Jinja2 + htmx) and public carbon labels.

``tanzuji serve`` runs :func:`tanzuji.web.main.create_from_env` under uvicorn; tests build
an application with :func:`tanzuji.web.app.create_app`.
"""
