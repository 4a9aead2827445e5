"""A Janus of one's own for group calls (decision 0078): its configuration written into a
directory, and a command that starts it there.

Debian's package (scripts/ensure-janus.sh) brings the binary and plugins; the package's own
configuration in /etc/janus is not used. Only the VideoRoom plugin and the WebSocket
transport are loaded; the WebSocket API listens on loopback (or ``host``) and wants the
``api_secret`` in every request. The tests, the benchmark and ``make run`` use this; a
deployment writes the same few lines by hand (docs/deploy.md).

    python -m tidings.janus_local --dir /tmp/janus --port 8188 --secret s3cret
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

PLUGINS = "/usr/lib/x86_64-linux-gnu/janus/plugins"
TRANSPORTS = "/usr/lib/x86_64-linux-gnu/janus/transports"


def _lib(folder: str) -> str:
    # Debian installs into the multiarch directory of the machine.
    if Path(folder).is_dir():
        return folder
    for candidate in Path("/usr/lib").glob(f"*/janus/{Path(folder).name}"):
        return str(candidate)
    return folder


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(
    directory: Path,
    *,
    port: int,
    api_secret: str,
    host: str = "127.0.0.1",
    rtp_ports: tuple[int, int] = (20000, 40000),
    stun_server: str = "",
    stun_port: int = 3478,
    turn_server: str = "",
    turn_port: int = 3478,
    turn_type: str = "udp",
    turn_user: str = "",
    turn_pwd: str = "",
    nat_1_1: str = "",
    debug_level: int = 3,
) -> Path:
    """Write janus.jcfg and the two module configurations into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    nat = ['\tice_ignore_list = "vmnet"', "\tnice_debug = false"]
    if stun_server:
        nat += [f"\tstun_server = {_quote(stun_server)}", f"\tstun_port = {stun_port}"]
    if turn_server:
        nat += [
            f"\tturn_server = {_quote(turn_server)}",
            f"\tturn_port = {turn_port}",
            f"\tturn_type = {_quote(turn_type)}",
            f"\tturn_user = {_quote(turn_user)}",
            f"\tturn_pwd = {_quote(turn_pwd)}",
        ]
    if nat_1_1:
        nat.append(f"\tnat_1_1_mapping = {_quote(nat_1_1)}")
    nat_lines = "\n".join(nat)
    (directory / "janus.jcfg").write_text(
        f"""general: {{
\tconfigs_folder = {_quote(str(directory))}
\tplugins_folder = {_quote(_lib(PLUGINS))}
\ttransports_folder = {_quote(_lib(TRANSPORTS))}
\tdebug_level = {debug_level}
\tapi_secret = {_quote(api_secret)}
\tsession_timeout = 60
\tserver_name = "tidings-janus"
}}
media: {{
\trtp_port_range = "{rtp_ports[0]}-{rtp_ports[1]}"
}}
nat: {{
{nat_lines}
}}
plugins: {{
\tdisable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,\
libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,\
libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}}
transports: {{
\tdisable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,\
libjanus_rabbitmq.so"
}}
events: {{
\tbroadcast = false
}}
""",
        encoding="utf-8",
    )
    (directory / "janus.transport.websockets.jcfg").write_text(
        f"""general: {{
\tjson = "compact"
\tws = true
\tws_port = {port}
\tws_ip = {_quote(host)}
\twss = false
}}
admin: {{
\tadmin_ws = false
\tadmin_wss = false
}}
""",
        encoding="utf-8",
    )
    # No static rooms: the servers create one per group call.
    (directory / "janus.plugin.videoroom.jcfg").write_text("general: {\n}\n", encoding="utf-8")
    return directory / "janus.jcfg"


def command(directory: Path) -> list[str]:
    janus = shutil.which("janus")
    if janus is None:
        raise RuntimeError("Janus is not installed: run scripts/ensure-janus.sh")
    # --configs-folder too: Janus reads its modules' files from there, not from the folder
    # janus.jcfg names.
    return [
        janus,
        "--config",
        str(directory / "janus.jcfg"),
        "--configs-folder",
        str(directory),
        "--disable-colors",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8188)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--secret", default=os.environ.get("TIDINGS_JANUS_API_SECRET", ""))
    parser.add_argument("--rtp-ports", default="20000-40000")
    parser.add_argument("--stun", default="", help="host:port of a STUN server")
    args = parser.parse_args()
    if not args.secret:
        parser.error("an API secret is needed (--secret or TIDINGS_JANUS_API_SECRET)")
    low, high = (int(p) for p in args.rtp_ports.split("-"))
    stun_host, _, stun_port = args.stun.partition(":")
    write_config(
        args.dir,
        port=args.port,
        api_secret=args.secret,
        host=args.host,
        rtp_ports=(low, high),
        stun_server=stun_host,
        stun_port=int(stun_port or 3478),
    )
    argv = command(args.dir)
    os.execv(argv[0], argv)  # noqa: S606 - becomes janus, with the arguments made here


if __name__ == "__main__":
    main()
