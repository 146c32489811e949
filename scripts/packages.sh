# Debian packages the build and the server need, sourced by run.sh and test.sh (not run on its own).
# maplibre-rs (static maps) needs protoc to build and Mesa (EGL/OpenGL) to draw without a GPU.

# Appends to the array `missing` the packages of the server that this machine lacks.
add_missing_server_packages() {
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  local pkg
  for pkg in libegl1 libegl-mesa0 libgl1-mesa-dri; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
}

# Installs the packages named in `missing`, if any.
install_missing() {
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "Installing ${missing[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}
