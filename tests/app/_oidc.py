"""A small OpenID Connect provider on 127.0.0.1 for the sign-in tests (and the load benchmark).

It does what a university's single sign-on does for ``st.login``: publishes its
discovery document and signing key, shows a sign-in form, checks the password,
redirects back with a code, and exchanges the code (with its PKCE verifier and the
client's secret) for an RS256-signed ID token carrying ``email`` and ``name``.
Nothing leaves the machine.

Run it by hand to try sign-in locally::

    python -m tests.app._oidc --port 9000 --user author@uni.edu:pw:Prof.Chen
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Person:
    email: str
    password: str
    name: str


@dataclass
class Provider:
    """The provider's state: its key, client, people and the codes it handed out."""

    client_id: str = "align-dashboard"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    people: dict[str, Person] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    issuer: str = ""
    signins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, email: str, password: str, name: str) -> None:
        self.people[email.lower()] = Person(email.lower(), password, name)

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}

    def id_token(self, person: Person, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(person.email.encode()).hexdigest()[:24],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 3600,
            "email": person.email,
            "email_verified": True,
            "name": person.name,
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)


_FORM = """<!doctype html><html><head><meta charset="utf-8"><title>University sign-in</title>
</head><body><h1>University sign-in</h1>{error}
<form method="post" action="/authorize">{hidden}
<label>Email <input name="email" type="email" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></body></html>"""
_KEEP = ("client_id", "redirect_uri", "state", "nonce", "code_challenge", "code_challenge_method")


def _handler(p: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, obj: Any, status: int = 200) -> None:
            self._send(status, json.dumps(obj).encode(), "application/json")

        def _form(self) -> dict[str, str]:
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n).decode()
            return {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(p.metadata())
            elif url.path == "/jwks":
                self._json(p.jwks())
            elif url.path == "/authorize":
                if q.get("client_id") != p.client_id:
                    self._send(400, b"unknown client", "text/plain")
                    return
                self._login_form(q, "")
            elif url.path == "/userinfo":
                self._userinfo()
            elif url.path == "/favicon.ico":  # browsers ask; a 404 would be a console error
                self._send(204, b"", "image/x-icon")
            else:
                self._send(404, b"not found", "text/plain")

        def _login_form(self, q: dict[str, str], error: str) -> None:
            hidden = "".join(
                f'<input type="hidden" name="{k}" value="{html.escape(q.get(k, ""))}">'
                for k in _KEEP
            )
            err = f"<p role='alert'>{html.escape(error)}</p>" if error else ""
            body = _FORM.format(error=err, hidden=hidden).encode()
            self._send(200, body, "text/html; charset=utf-8")

        def do_POST(self) -> None:
            if self.path == "/authorize":
                self._authorize()
            elif self.path == "/token":
                self._token()
            else:
                self._send(404, b"not found", "text/plain")

        def _authorize(self) -> None:
            f = self._form()
            person = p.people.get(f.get("email", "").lower())
            if person is None or not secrets.compare_digest(person.password, f.get("password", "")):
                self._login_form(f, "Wrong email or password.")
                return
            code = secrets.token_urlsafe(24)
            with p.lock:
                p.codes[code] = {**{k: f.get(k, "") for k in _KEEP}, "email": person.email,
                                 "expires": time.time() + 120}  # fmt: skip
            target = (
                f["redirect_uri"]
                + "?"
                + urllib.parse.urlencode({"code": code, "state": f.get("state", "")})
            )
            self._send(302, b"", "text/plain", {"Location": target})

        def _client_ok(self, f: dict[str, str]) -> bool:
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                cid, secret = urllib.parse.unquote(cid), urllib.parse.unquote(secret)
            else:
                cid, secret = f.get("client_id", ""), f.get("client_secret", "")
            return cid == p.client_id and secrets.compare_digest(secret, p.client_secret)

        def _token(self) -> None:
            f = self._form()
            if not self._client_ok(f):
                self._json({"error": "invalid_client"}, 401)
                return
            with p.lock:
                grant = p.codes.pop(f.get("code", ""), None)
            if (
                f.get("grant_type") != "authorization_code"
                or grant is None
                or grant["expires"] < time.time()
                or grant["redirect_uri"] != f.get("redirect_uri")
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            if grant["code_challenge"]:
                verifier = f.get("code_verifier", "").encode()
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
                if digest.decode() != grant["code_challenge"]:
                    self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
                    return
            person = p.people[grant["email"]]
            with p.lock:
                p.signins += 1
            self._json(
                {
                    "access_token": secrets.token_urlsafe(24),
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "id_token": p.id_token(person, grant.get("nonce") or None),
                    "scope": "openid email profile",
                }
            )

        def _userinfo(self) -> None:
            self._json({"error": "not used"}, 400)

    return Handler


class _Server(ThreadingHTTPServer):
    # Dozens of people signing in at once (the load benchmark) must queue, not be refused.
    request_queue_size = 256
    daemon_threads = True


class OIDCServer:
    """The provider served on 127.0.0.1 (``start``/``stop``; ``url`` is its issuer)."""

    def __init__(self, port: int = 0):
        self.provider = Provider()
        self.httpd = _Server(("127.0.0.1", port), _handler(self.provider))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.provider.issuer = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> OIDCServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def secrets_toml(self, app_port: int | str = "{port}") -> str:
        """The ``[auth]`` section a dashboard on 127.0.0.1:``app_port`` needs."""
        return (
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "{self.provider.client_id}"\n'
            f'client_secret = "{self.provider.client_secret}"\n'
            f'server_metadata_url = "{self.url}/.well-known/openid-configuration"\n'
            # a busy server (the load benchmark) may take longer than httpx's 5 s default
            "client_kwargs = { timeout = 60 }\n"
        )


def main() -> None:  # pragma: no cover - by hand and by the load benchmark
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--user", action="append", default=[], help="email:password:Name")
    ap.add_argument("--users", help="a JSON file: [[email, password, name], ...]")
    ap.add_argument("--client-secret", help="the dashboard's client secret (default: random)")
    ap.add_argument("--app-port", default="8501", help="the dashboard's port (redirect URI)")
    args = ap.parse_args()
    server = OIDCServer(args.port)
    if args.client_secret:
        server.provider.client_secret = args.client_secret
    people = [u.split(":", 2) for u in args.user]
    if args.users:
        with open(args.users, encoding="utf-8") as fh:
            people += json.load(fh)
    for email, password, name in people:
        server.provider.add(email, password, name)
    print(server.secrets_toml(args.app_port), flush=True)
    print("ready", flush=True)
    server.thread.run()


if __name__ == "__main__":  # pragma: no cover
    main()
