#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: uv, the locked Python environment, Java and Maven
# for the local Kafka broker (unless a Docker engine or an external Kafka is configured), Dovecot for
# the IMAP tests, and curl and jq for the README's walkthrough.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then
  echo "bootstrap: installing uv from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi

need_local_kafka=1
if [ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ] || docker info >/dev/null 2>&1; then need_local_kafka=0; fi
if [ "$need_local_kafka" = 1 ] && { ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Java and Maven for the local Kafka broker"
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
  else
    echo "bootstrap: the local Kafka broker needs Java 17+ and Maven (or set KAFKA_BOOTSTRAP_SERVERS)" >&2
    exit 1
  fi
fi

# The IMAP poller's tests run against a real Dovecot on loopback (crm_shared.infra.dovecot).
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Dovecot (IMAP) for the mail intake tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
  else
    echo "bootstrap: the IMAP tests need Dovecot (apt-get install dovecot-imapd)" >&2
    exit 1
  fi
fi

# The README's walkthrough calls the APIs with curl and jq (tests/e2e/test_readme_walkthrough.py runs it).
if ! command -v curl >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing curl and jq for the README's walkthrough"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl jq >/dev/null
  else
    echo "bootstrap: the README's walkthrough and its test need curl and jq" >&2
    exit 1
  fi
fi

if command -v uv >/dev/null 2>&1; then uv sync --frozen --quiet; else python3 -m uv sync --frozen --quiet; fi
