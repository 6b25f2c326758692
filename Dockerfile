# syntax=docker/dockerfile:1
# keytrace container image: a static musl binary on Alpine with git.
#
#   docker build -t keytrace .
#   docker run --rm -v "$PWD:/repo" keytrace scan --history .
#
# Runtime base: Alpine, not distroless or scratch, because history scans and range scans run
# `git` (fetching missing commits of shallow clones) and the image must carry it; Alpine gives
# git in ~20 MB with a package manager kept up to date. The binary itself is static (musl), so
# it does not depend on the base's C library.

ARG RUST_VERSION=1
ARG ALPINE_VERSION=3.22

# ---- builder: a static musl binary (Alpine's Rust targets musl and links it statically) ----
FROM rust:${RUST_VERSION}-alpine AS builder
# musl-dev for the C parts: vendored libgit2, bundled SQLite, ring.
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin keytrace \
 && cp target/release/keytrace /usr/local/bin/keytrace \
 && /usr/local/bin/keytrace --version

# ---- runtime ----
FROM alpine:${ALPINE_VERSION}
LABEL org.opencontainers.image.title="keytrace" \
      org.opencontainers.image.description="Secret-sprawl scanner: finds long-lived credentials in directories, git history and config stores" \
      org.opencontainers.image.source="https://github.com/keytrace/keytrace" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
# git for history scans. safe.directory '*': the repository is mounted from the host and owned
# by the host user's uid, not this image's user; without it git refuses to read it ("dubious
# ownership"). The container only ever reads the repository it is given.
RUN apk add --no-cache git ca-certificates \
 && git config --system --add safe.directory '*' \
 && addgroup -S -g 10001 keytrace \
 && adduser -S -D -u 10001 -G keytrace -h /home/keytrace keytrace
COPY --from=builder /usr/local/bin/keytrace /usr/local/bin/keytrace
USER 10001:10001
WORKDIR /repo
ENTRYPOINT ["keytrace"]
CMD ["--help"]
