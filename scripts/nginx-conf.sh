#!/usr/bin/env bash
# Prints the nginx configuration the benchmarks compare podcatalog with:
# static files from DIR/www (the feed as feed.xml and feed.xml.gz, media/)
# on 127.0.0.1:PORT, sendfile and gzip_static on, no access log.
#
#   scripts/nginx-conf.sh DIR PORT WORKERS [single]
#
# `single` runs one process without a master, so /proc/PID/stat of that
# one process holds all of nginx's CPU time (bench-load.sh).
set -euo pipefail
dir=$1 port=$2 workers=$3
master=
[[ ${4:-} == single ]] && master="master_process off;"
cat <<EOF
worker_processes $workers;
$master
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    types { application/rss+xml xml; audio/mpeg mp3; }
    gzip_static on;
    gzip_vary on;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
    }
}
EOF
