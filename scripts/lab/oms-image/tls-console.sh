#!/bin/sh
# The console's HTTPS front door (nginx's job in the real image): a real TLS server with the mounted certificate and
# key, each connection's decrypted HTTP handed to http.sh, as the plain console hands its connections over.
. /home/admin/standin/oms-lib.sh
exec socat "OPENSSL-LISTEN:8089,reuseaddr,fork,cert=$CERT,key=$KEY,verify=0" "EXEC:/home/admin/standin/http.sh console"
