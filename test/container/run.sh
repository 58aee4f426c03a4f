#!/usr/bin/env bash
# Builds the mcp-sidecar image and runs it for real with podman (no Docker engine on these machines):
# a demo Tasks API on the host, the container in front of it with its config folder mounted read-only,
# the real MCP SDK client through it, a ConfigMap-style hot reload inside the container, and SIGTERM
# (podman stop) → exit code 0 within a few seconds.
#
#   test/container/run.sh                                   # base image node:22-bookworm-slim
#   NODE_IMAGE=node:20-bookworm-slim test/container/run.sh  # any tag podman-setup.sh can stand in for
#
# Needs root (podman-setup installs podman + runc). Every wait is bounded; containers, the upstream
# process and temp files are removed on exit. Last line: `container: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
NODE_IMAGE=${NODE_IMAGE:-node:22-bookworm-slim}
IMAGE=${IMAGE:-localhost/mcp-sidecar:container-test}
PODMAN_SETUP=${PODMAN_SETUP:-$ROOT/../shared/container/podman-setup.sh}
NAME="mcp-sidecar-ctest-$$"
WORK=$(mktemp -d)
PASS=0
FAIL=0
UPSTREAM_PID=""
PODMAN=(podman)
RUNTIME=(--runtime runc)

cleanup() {
  set +e
  "${PODMAN[@]}" rm -f -t 0 "$NAME" >/dev/null 2>&1
  if [ -n "$UPSTREAM_PID" ]; then
    kill "$UPSTREAM_PID" 2>/dev/null
    wait "$UPSTREAM_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'fail "interrupted"; summary; exit 130' INT TERM

pass() { PASS=$((PASS + 1)); echo "ok $((PASS + FAIL)) - $*"; }
fail() { FAIL=$((FAIL + 1)); echo "not ok $((PASS + FAIL)) - $*"; }
summary() { echo "container: $PASS passed, $FAIL failed"; }
die() { # a failed step that later steps depend on
  fail "$1"
  [ -f "$WORK/${2:-none}" ] && tail -n 30 "$WORK/$2" | sed 's/^/#   /'
  summary
  exit 1
}
show_logs() { "${PODMAN[@]}" logs "$NAME" 2>&1 | tail -n 20 | sed 's/^/#   /' || true; }
free_port() { node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
ms_now() { date +%s%3N; }
HARNESS=(node --import tsx "$ROOT/test/container/harness.ts")

echo "# base image $NODE_IMAGE, image $IMAGE"
for tool in node curl jq timeout; do
  command -v "$tool" >/dev/null || die "$tool is installed (apt-get install -y curl jq)"
done
[ -d "$ROOT/node_modules/tsx" ] || die "dev dependencies are installed (npm ci)"

# 1. podman + runc + the stand-in base image (idempotent).
if [ -f "$PODMAN_SETUP" ]; then
  timeout 600 bash "$PODMAN_SETUP" "$NODE_IMAGE" >"$WORK/setup.log" 2>&1 || die "podman-setup.sh $NODE_IMAGE" setup.log
elif ! command -v podman >/dev/null; then
  die "podman is not installed and $PODMAN_SETUP is missing"
fi

# 2. Build the image (the Dockerfile's HEALTHCHECK needs the docker image format).
t0=$(ms_now)
if timeout 900 "${PODMAN[@]}" build "${RUNTIME[@]}" --network host --format docker \
  --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1; then
  size=$("${PODMAN[@]}" image inspect -f '{{.Size}}' "$IMAGE")
  base=$("${PODMAN[@]}" image inspect -f '{{.Size}}' "docker.io/library/$NODE_IMAGE" 2>/dev/null || echo 0)
  pass "image builds in $(($(ms_now) - t0)) ms: $((size / 1000000)) MB ($(((size - base) / 1000000)) MB on top of $NODE_IMAGE)"
else
  die "image builds" build.log
fi

config=$("${PODMAN[@]}" image inspect -f '{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{range .Config.Env}}{{.}} {{end}}|{{if .Config.Healthcheck}}{{json .Config.Healthcheck.Test}}{{end}}' "$IMAGE")
if [[ "$config" == '1000:1000|["node","/app/dist/main.js"]|["serve"]|'*MCP_SIDECAR_CONFIG=/config/config.yaml*'|["CMD","node","-e",'* ]]; then
  pass "image: USER 1000:1000 (node), ENTRYPOINT node /app/dist/main.js serve, MCP_SIDECAR_CONFIG=/config/config.yaml, HEALTHCHECK with node"
else
  fail "image config: $config"
fi

# 3. A real upstream on the host: the demo Tasks API.
API_PORT=$(free_port)
"${HARNESS[@]}" upstream "$API_PORT" >"$WORK/upstream.log" 2>&1 &
UPSTREAM_PID=$!
deadline=$(($(ms_now) + 20000))
until curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT/tasks" 2>/dev/null; do
  [ "$(ms_now)" -lt "$deadline" ] && kill -0 "$UPSTREAM_PID" 2>/dev/null || die "the demo API starts on 127.0.0.1:$API_PORT" upstream.log
  sleep 0.2
done

# 4. The config folder, laid out like a mounted ConfigMap: files are symlinks through ..data.
PORT=$(free_port)
CFG="$WORK/config"
write_version() { # $1: version folder, $2: extra YAML for the server
  mkdir -p "$CFG/$1"
  cp "$ROOT/config/demo-openapi.yaml" "$CFG/$1/openapi.yaml"
  cat >"$CFG/$1/config.yaml" <<EOF
listen:
  host: 0.0.0.0            # in a container: all interfaces (here --network host)
  port: \${PORT}           # the image's \$PORT, which its HEALTHCHECK also uses
allowedHosts: [127.0.0.1, localhost]
logging: { level: info, format: json }
limits: { shutdownGrace: 5s }
reload: { debounce: 100ms }
servers:
  - name: tasks
    path: /mcp
    spec: ./openapi.yaml
    upstream: { baseUrl: "http://127.0.0.1:$API_PORT", timeout: 10s }
$2
EOF
}
write_version ..2026_01_01_v1 ""
ln -s ..2026_01_01_v1 "$CFG/..data"
ln -s ..data/config.yaml "$CFG/config.yaml"
ln -s ..data/openapi.yaml "$CFG/openapi.yaml"
chmod -R a+rX "$WORK" # the container runs as uid 1000

# 5. Run the container: read-only config folder, the image's default command and config path.
if ! "${PODMAN[@]}" run -d --name "$NAME" "${RUNTIME[@]}" --network host -e "PORT=$PORT" \
  -v "$CFG:/config:ro" "$IMAGE" >"$WORK/run.log" 2>&1; then
  die "the container starts" run.log
fi
t0=$(ms_now)
deadline=$((t0 + 30000))
until curl -fsS -o "$WORK/readyz.json" "http://127.0.0.1:$PORT/readyz" 2>/dev/null; do
  if [ "$("${PODMAN[@]}" inspect -f '{{.State.Running}}' "$NAME")" != true ] || [ "$(ms_now)" -ge "$deadline" ]; then
    show_logs
    die "/readyz answers within 30 s"
  fi
  sleep 0.2
done
pass "/readyz answers after $(($(ms_now) - t0)) ms: $(jq -c '{generation, servers}' "$WORK/readyz.json")"

pid1=$("${PODMAN[@]}" exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ' | sed 's/ $//')
uid=$("${PODMAN[@]}" exec "$NAME" id -u)
user=$("${PODMAN[@]}" exec "$NAME" id -un)
if [[ "$pid1" == "node /app/dist/main.js serve" && "$uid" == 1000 && "$user" == node ]]; then
  pass "PID 1 is '$pid1', running as $user (uid $uid)"
else
  fail "PID 1 is '$pid1', uid $uid (want node /app/dist/main.js serve, uid 1000)"
fi

# No systemd timers here: run the image's HEALTHCHECK command once by hand.
if timeout 30 "${PODMAN[@]}" healthcheck run "$NAME" >"$WORK/health.log" 2>&1; then hc=0; else hc=$?; fi
health=$("${PODMAN[@]}" inspect -f '{{.State.Health.Status}}' "$NAME" 2>/dev/null || true)
if [ "$hc" = 0 ] && [ "$health" = healthy ]; then
  pass "HEALTHCHECK (node fetching /healthz on \$PORT): $health"
else
  fail "HEALTHCHECK: exit $hc, status '$health'"
  grep -v systemd "$WORK/health.log" | sed 's/^/#   /' || true
fi

# 6. The real MCP SDK client through the container; the upstream confirms it got the call.
if out=$(timeout 60 "${HARNESS[@]}" call "http://127.0.0.1:$PORT/mcp" "http://127.0.0.1:$API_PORT" 2>&1) &&
  jq -e '(.tools | length == 7) and (.tools | index("deleteTask")) and (.isError == false) and (.returned == .sent) and (.upstream == .sent)' <<<"$out" >/dev/null; then
  pass "tools/list has 7 tools; tools/call createTask reached the upstream: $(jq -c '{sent, upstream}' <<<"$out")"
else
  fail "MCP client through the container: $out"
  show_logs
fi

# 7. Hot reload inside the container: swap ..data like the kubelet does (the mount stays read-only).
write_version ..2026_01_02_v2 "    tools: { exclude: { methods: [DELETE] } }"
chmod -R a+rX "$CFG"
ln -s ..2026_01_02_v2 "$CFG/..data_tmp"
mv -T "$CFG/..data_tmp" "$CFG/..data"
t0=$(ms_now)
if out=$(timeout 60 "${HARNESS[@]}" wait-tools "http://127.0.0.1:$PORT/mcp" deleteTask 20000 2>&1) &&
  jq -e '.tools | length == 6' <<<"$out" >/dev/null; then
  gen=$(curl -fsS "http://127.0.0.1:$PORT/readyz" | jq -c '{generation, lastReload: .lastReload.result}')
  pass "hot reload after a ..data symlink swap: deleteTask gone after $(($(ms_now) - t0)) ms, $(jq -c '.tools | length' <<<"$out") tools, $gen"
else
  fail "hot reload: $out"
  show_logs
fi

# 8. SIGTERM: podman stop sends it to PID 1 (node); the sidecar drains and exits 0 long before the 10 s kill.
t0=$(ms_now)
timeout 30 "${PODMAN[@]}" stop -t 10 "$NAME" >/dev/null 2>&1 || true
elapsed=$(($(ms_now) - t0))
code=$("${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' "$NAME")
"${PODMAN[@]}" logs "$NAME" >"$WORK/container.log" 2>&1 || true
if [ "$code" = 0 ] && [ "$elapsed" -lt 5000 ] && grep -q '"signal":"SIGTERM"' "$WORK/container.log"; then
  pass "podman stop -t 10: SIGTERM handled, exit code $code after $elapsed ms"
else
  fail "podman stop -t 10: exit code $code after $elapsed ms (want 0, < 5000 ms, a SIGTERM log line)"
  show_logs
fi

summary
[ "$FAIL" -eq 0 ]
