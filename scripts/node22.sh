# Puts Node.js 22 on PATH for this shell when the machine's node is older: `. scripts/node22.sh`.
#
# Lambda runs the functions on Node 22 (the stack deploys nodejs22.x) and aws-local-stepfunctions requires it;
# Node 20 is past its end of life. Node's own download site may be out of reach, so the binary comes from the npm
# registry, where Node publishes it as a package (node-linux-<arch>), installed once into .node/ beside this script.
# Sourced, not run: it changes the caller's PATH. POSIX sh, so `.` works from bash, dash and zsh alike.
EVENTFLOW_NODE_VERSION=22.23.3
# bash knows where a sourced file is; POSIX sh does not, so there it must be sourced from the repository's root.
if [ -n "${BASH_SOURCE:-}" ]; then eventflow_root=$(cd "$(dirname "$BASH_SOURCE")/.." && pwd); else eventflow_root=$(pwd); fi
if [ ! -f "$eventflow_root/scripts/node22.sh" ]; then
  echo "scripts/node22.sh: source it from the repository's root (. scripts/node22.sh)" >&2
  return 1 2>/dev/null || exit 1
fi
eventflow_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$eventflow_major" -lt 22 ]; then
  case "$(uname -m)" in
    x86_64) eventflow_arch=x64 ;;
    aarch64 | arm64) eventflow_arch=arm64 ;;
    *) echo "scripts/node22.sh: no Node $EVENTFLOW_NODE_VERSION package for $(uname -m); install Node 22 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  eventflow_bin="$eventflow_root/.node/node_modules/node-linux-$eventflow_arch/bin"
  if [ ! -x "$eventflow_bin/node" ] || [ "$("$eventflow_bin/node" --version)" != "v$EVENTFLOW_NODE_VERSION" ]; then
    echo "scripts/node22.sh: installing Node $EVENTFLOW_NODE_VERSION from the npm registry into .node/ (this machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
    npm install --prefix "$eventflow_root/.node" --no-save --no-audit --no-fund --loglevel=error "node-linux-$eventflow_arch@$EVENTFLOW_NODE_VERSION" >&2 || { return 1 2>/dev/null || exit 1; }
  fi
  PATH="$eventflow_bin:$PATH"
  export PATH
fi
unset eventflow_root eventflow_major eventflow_arch eventflow_bin
