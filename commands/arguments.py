"""The command line's shared vocabulary: options read from the environment, defaults shown in
every `--help`, and the option groups several verbs take (silo addresses, security, filters)."""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from commands.errors import FAILED, USAGE, CliError
from commands.logs import FORMATS
from orchestrator.client import DEFAULT_RETRY_DEADLINE, ClientSecurity
from orchestrator.crypto import EncryptionError, load_public_key
from wire.auth import SECRET_RULE, parse_secrets, weak_secrets
from wire.scopes import ImportScope

Subparsers = argparse._SubParsersAction  # what `add_subparsers` returns: verbs register on it
# Options whose value is a secret, and the variable that can carry it instead: a command line
# shown back to the user names the variable, never the value.
SECRET_OPTIONS = {"--shared-secret": "RELOCATE_SHARED_SECRET"}


class EnvDefault(argparse.Action):
    """An option that falls back to an environment variable, then to a fixed default: every
    flag that has a variable reads it the same way, wherever the flag is taken."""

    def __init__(self, option_strings: Sequence[str], dest: str, env: str,
                 default: Any = None, required: bool = False, **kwargs: Any) -> None:
        self.env = env
        self.fallback = default  # shown in --help; the variable's value may be a secret
        value = os.environ.get(env) or default
        super().__init__(option_strings, dest, default=value,
                         required=required and value is None, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)


class DefaultsShown(argparse.HelpFormatter):
    """Says after every option's help where its value comes from when it is not given: the
    environment variable and the default (never the variable's value, which may be a secret)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if isinstance(action, EnvDefault):
            fallback = "" if action.fallback is None else f"; default: {action.fallback}"
            return f"{text} (env {action.env}{fallback})"
        default = action.default
        if (not action.option_strings or default is None or default is False
                or default == argparse.SUPPRESS or "default" in text):
            return text
        return f"{text} (default: %(default)s)"


def show_defaults(parser: argparse.ArgumentParser) -> None:
    """Give `parser` and every parser below it the DefaultsShown help, so that no verb (nor
    one registered by tools/) can forget it."""
    for each in _parsers(parser):
        each.formatter_class = DefaultsShown


def add_log_format(parser: argparse.ArgumentParser) -> None:
    """--log-format on every verb (each parser that runs one, tools/' included), among the
    verb's own options, where an operator adds it."""
    for each in _parsers(parser):
        if not any(isinstance(action, Subparsers) for action in each._actions):
            each.add_argument("--log-format", action=EnvDefault, env="RELOCATE_LOG_FORMAT",
                              default="plain", choices=FORMATS,
                              help="plain lines, or one JSON object per line (for log "
                                   "pipelines: every line on stderr then parses)")


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and every parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, Subparsers):
            for child in action.choices.values():
                yield from _parsers(child)


def scope_parsers(sub: Subparsers, verb: str, about: str,
                  run: Callable[[argparse.Namespace], int]
                  ) -> Iterator[tuple[ImportScope, argparse.ArgumentParser]]:
    """`relocate VERB SCOPE ...`: one parser per scope (Sentry's `import users`, ...), each
    running `run`, for the verb to add its options to."""
    scopes = sub.add_parser(verb, help=about).add_subparsers(dest="scope", required=True)
    for scope in ImportScope:
        p = scopes.add_parser(scope.value, help=f"{verb} in {scope.value} scope")
        p.set_defaults(run=run)
        yield scope, p


def add_connection_arguments(p: argparse.ArgumentParser) -> None:
    """Where the silos are (or the embedded default's data), and how to authenticate."""
    p.add_argument("--control", action=EnvDefault, env="RELOCATE_CONTROL_ADDR",
                   metavar="HOST:PORT", help="control silo address")
    p.add_argument("--region", action=EnvDefault, env="RELOCATE_REGION_ADDR",
                   metavar="HOST:PORT", help="region silo address")
    p.add_argument("--data-dir", type=Path, action=EnvDefault, env="RELOCATE_DATA_DIR",
                   default=Path(".relocate"),
                   help="where the embedded default keeps its PostgreSQL")
    p.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--retry-deadline", type=_seconds, action=EnvDefault,
                   env="RELOCATE_RETRY_DEADLINE", default=DEFAULT_RETRY_DEADLINE,
                   metavar="SECONDS",
                   help="how long a call to a silo that is down or restarting is retried (with "
                        "backoff, each retry logged) before the import stops with "
                        "SiloUnavailable; 0 tries once")
    add_security_arguments(p, server=False)


def _seconds(text: str) -> float:
    """A number of seconds, 0 or more (argparse names the option when this refuses)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def positive_int(text: str) -> int:
    """A whole number, 1 or more (argparse names the option when this refuses)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def add_security_arguments(p: argparse.ArgumentParser, server: bool) -> None:
    p.add_argument("--shared-secret", action=EnvDefault, env="RELOCATE_SHARED_SECRET",
                   metavar="SECRETS",
                   help="secret(s) that sign every call between orchestrator and silos, "
                        "comma-separated; the first signs, all are accepted (for rotation)")
    if server:
        p.add_argument("--allow-unauthenticated", action="store_true",
                       help="serve without a shared secret (only on a trusted network)")
    add_tls_arguments(p, server)


def add_tls_arguments(p: argparse.ArgumentParser, server: bool) -> None:
    """--tls-ca, --tls-cert and --tls-key: a silo's own certificate, or a client's CA and
    (for mutual TLS) certificate; one set of variables, so a host's TLS settings serve every
    verb."""
    if server:
        tls = {"--tls-cert": ("RELOCATE_TLS_CERT", "PEM certificate chain; enables TLS"),
               "--tls-key": ("RELOCATE_TLS_KEY", "PEM private key of --tls-cert"),
               "--tls-ca": ("RELOCATE_TLS_CA", "PEM CA; when given, clients must present a "
                                               "certificate it signed (mutual TLS)")}
    else:
        tls = {"--tls-ca": ("RELOCATE_TLS_CA",
                            "PEM CA that signed the silos' certificates; enables TLS"),
               "--tls-cert": ("RELOCATE_TLS_CERT", "client certificate for mutual TLS"),
               "--tls-key": ("RELOCATE_TLS_KEY", "private key of --tls-cert")}
    for flag, (env, text) in tls.items():
        p.add_argument(flag, type=Path, action=EnvDefault, env=env, help=text)


def read_given(path: Path | None) -> bytes | None:
    """The bytes of a file named on the command line (None when it was not named); a file
    that is not there is a usage error."""
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: cannot read it ({exc.strerror})", USAGE) from exc


def public_key(path: Path) -> bytes:
    """The PEM of an RSA public key to encrypt for, checked before any work starts."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise CliError(f"Cannot read the public key {path} ({exc.strerror}); check the path "
                       "and its permissions.", FAILED) from exc
    try:
        load_public_key(pem, str(path))
    except EncryptionError as exc:
        raise CliError(str(exc), FAILED) from exc
    return pem


def shared_secrets(args: argparse.Namespace) -> list[bytes]:
    """--shared-secret's secrets, each long enough to be worth keeping secret."""
    secrets = parse_secrets(args.shared_secret)
    weak = weak_secrets(secrets)
    if weak:
        which = "the shared secret" if len(secrets) == 1 else \
            "shared secret " + ", ".join(f"#{n}" for n in weak) + " of the list"
        raise CliError(f"{which} is too short: {SECRET_RULE} (--shared-secret or "
                       "RELOCATE_SHARED_SECRET)", USAGE)
    return secrets


def client_security(args: argparse.Namespace) -> ClientSecurity:
    secrets = shared_secrets(args)
    return ClientSecurity(secret=secrets[0] if secrets else None, **client_tls(args))


def client_tls(args: argparse.Namespace) -> dict[str, bytes | None]:
    """The client's TLS files named by --tls-ca, --tls-cert and --tls-key, read."""
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together", USAGE)
    return {"tls_ca": read_given(args.tls_ca), "tls_cert": read_given(args.tls_cert),
            "tls_key": read_given(args.tls_key)}


def add_username_filter(p: argparse.ArgumentParser, verb: str) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--filter-usernames", help=f"comma-separated usernames to {verb}")
    group.add_argument("--filter-usernames-file", type=Path,
                       help="file of usernames, separated by commas or whitespace")


def filters(args: argparse.Namespace) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(organization slugs, usernames) from the filter options; None means no filter."""
    usernames = None
    if getattr(args, "filter_usernames", None):
        usernames = frozenset(args.filter_usernames.split(","))
    elif getattr(args, "filter_usernames_file", None):
        text = (read_given(args.filter_usernames_file) or b"").decode()
        usernames = frozenset(n for n in text.replace(",", " ").split() if n)
    org_slugs = None
    if getattr(args, "filter_org_slugs", None):
        org_slugs = frozenset(args.filter_org_slugs.split(","))
    return org_slugs, usernames


def rerun_command(args: argparse.Namespace, **options: str) -> str:
    """The command line this command was run with (`args.argv`, set by `commands.main`), ready
    to paste into a shell, with `options` (flag without its dashes: value) set in place of any
    given. A secret given on the command line is shown as its environment variable."""
    flags = {"--" + name.replace("_", "-"): value for name, value in options.items()}
    words = ["relocate"]
    given = iter(args.argv)
    for word in given:
        flag, equals, _ = word.partition("=")
        if flag in flags or flag in SECRET_OPTIONS:
            if not equals:
                next(given, None)  # the option's value, given as the next word
            if flag in SECRET_OPTIONS:
                words.append(f'{flag} "${SECRET_OPTIONS[flag]}"')
            continue
        words.append(shlex.quote(word))
    words += [f"{flag} {shlex.quote(value)}" for flag, value in flags.items()]
    return " ".join(words)
