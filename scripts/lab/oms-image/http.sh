#!/bin/sh
# One HTTP/1.1 exchange on a connection handed over by `nc -ll -e`: $1 is cm, console or supervisor.
. /home/admin/standin/oms-lib.sh
role=$1
read -r method path _ || exit 0
path=$(printf %s "$path" | tr -d '\r')
while read -r -t 2 line; do
  line=$(printf %s "$line" | tr -d '\r')
  [ -z "$line" ] && break
done

# Loaded settings of the program serving this port (copied at its start, so edits need a restart).
prop() {
  f=$STATE_DIR/$2.conf
  [ -f "$f" ] && sed -n "s/^$1=//p" "$f" | head -n 1
}

reply() {
  printf 'HTTP/1.1 %s\r\nServer: oms-standin\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
    "$1" "$2" "${#3}" "$3"
}

node=${OMS_HOST_IP:-unknown}
case "$role" in
  cm)
    nodes=$(prop cm.nodes oms_drc_cm | sed 's/[^,][^,]*/"&"/g')
    loc=$(prop cm.location oms_drc_cm)
    reply '200 OK' application/json "{\"success\":true,\"service\":\"oms_drc_cm\",\"status\":\"RUNNING\",\"node\":\"$node\",\"cm_url\":\"$(prop cm.url oms_drc_cm)\",\"cm_location\":${loc:-null},\"cm_nodes\":[$nodes],\"path\":\"$path\"}"
    ;;
  supervisor)
    reply '200 OK' application/json "{\"success\":true,\"service\":\"oms_drc_supervisor\",\"node\":\"$node\"}"
    ;;
  console)
    case "$path" in
      /oms/health|/oms/health/) reply '200 OK' application/json "{\"success\":true,\"code\":\"SUCCESS\",\"message\":null,\"data\":$(health_data),\"cm_url\":\"$(prop cm.url oms_console)\"}" ;;
      /|/index.html|/oms|/oms/) reply '200 OK' 'text/html; charset=utf-8' "<!DOCTYPE html><html><head><title>OceanBase Migration Service</title></head><body><h1>OMS Community Edition console (stand-in)</h1><p>node $node</p></body></html>" ;;
      *) reply '404 Not Found' application/json "{\"success\":false,\"status\":404,\"path\":\"$path\"}" ;;
    esac
    ;;
esac
