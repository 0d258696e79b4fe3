#!/bin/sh
# One-shot network setup for docker-compose.yml (service fabric-setup, fabric-tools image),
# the same steps `pnpm fabric:up` runs natively (apps/cli/src/fabric/network.ts):
# orderer joins channel `cairn` (osnadmin, channel participation API), both peers join,
# the CCaaS package (connection.json -> cairn-chaincode:9999) is installed on both peers,
# approved by Org1 and Org2 and committed with AND('Org1MSP.peer','Org2MSP.peer'); then
# Org1's admin authorises User1@org1 (the relay's identity) to append audit batches, and
# network.json is written for the relay and web containers. Safe to run again: each
# step is skipped when already done.
set -eu

OUT=/work/out                  # ./.data/fabric-compose on the host
APP_OUT=/app/.data/fabric-compose  # the same directory inside the relay / web containers
C=$OUT/crypto
CHANNEL=cairn
CC=cairn
POLICY="AND('Org1MSP.peer','Org2MSP.peer')"
ORDERER_TLS=$C/ordererOrganizations/example.com/orderers/orderer.example.com/tls
ORDERER_CA=$C/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem
export FABRIC_CFG_PATH=/etc/hyperledger/fabric   # the image's core.yaml (peer CLI)
export CORE_PEER_TLS_ENABLED=true

as_org() { # org number, peer port
  org=org$1
  export CORE_PEER_LOCALMSPID=Org$1MSP
  export CORE_PEER_MSPCONFIGPATH=$C/peerOrganizations/$org.example.com/users/Admin@$org.example.com/msp
  export CORE_PEER_ADDRESS=peer0.$org.example.com:$2
  export CORE_PEER_TLS_ROOTCERT_FILE=$C/peerOrganizations/$org.example.com/tlsca/tlsca.$org.example.com-cert.pem
}
retry() { # retries a command for up to ~60 s (services may still be starting)
  n=0
  until "$@"; do
    n=$((n + 1)); [ "$n" -ge 30 ] && return 1
    sleep 2
  done
}
ORDERER_ARGS="-o orderer.example.com:7050 --ordererTLSHostnameOverride orderer.example.com --tls --cafile $ORDERER_CA"

echo "== orderer joins channel $CHANNEL"
if ! osnadmin channel list -o orderer.example.com:7053 --ca-file "$ORDERER_CA" \
    --client-cert "$ORDERER_TLS/server.crt" --client-key "$ORDERER_TLS/server.key" 2>/dev/null | grep -q "\"$CHANNEL\""; then
  retry osnadmin channel join --channelID "$CHANNEL" --config-block "$OUT/genesis.block" -o orderer.example.com:7053 \
    --ca-file "$ORDERER_CA" --client-cert "$ORDERER_TLS/server.crt" --client-key "$ORDERER_TLS/server.key"
fi

echo "== peers join"
for spec in "1 7051" "2 9051"; do
  as_org $spec
  peer channel list 2>/dev/null | grep -qx "$CHANNEL" || retry peer channel join -b "$OUT/genesis.block"
done

echo "== CCaaS package"
PKG=$OUT/chaincode
mkdir -p "$PKG/code"
printf '{"address":"cairn-chaincode:9999","dial_timeout":"10s","tls_required":false}' > "$PKG/code/connection.json"
printf '{"type":"ccaas","label":"cairn_1"}' > "$PKG/metadata.json"
tar -czf "$PKG/code.tar.gz" -C "$PKG/code" connection.json
tar -czf "$PKG/cairn.tar.gz" -C "$PKG" metadata.json code.tar.gz
for spec in "1 7051" "2 9051"; do
  as_org $spec
  peer lifecycle chaincode queryinstalled 2>/dev/null | grep -q "cairn_1" || peer lifecycle chaincode install "$PKG/cairn.tar.gz"
done
PACKAGE_ID=$(peer lifecycle chaincode queryinstalled | sed -n 's/^Package ID: \(cairn_1:[0-9a-f]*\), Label: cairn_1$/\1/p' | tail -1)
[ -n "$PACKAGE_ID" ] || { echo "no installed package id" >&2; exit 1; }
printf '%s' "$PACKAGE_ID" > "$OUT/chaincode-id"   # the cairn-chaincode service waits for this file
echo "package id $PACKAGE_ID"

echo "== approve and commit"
COMMON="--channelID $CHANNEL --name $CC --version 1.0 --sequence 1 --signature-policy $POLICY $ORDERER_ARGS"
as_org 1 7051
if ! peer lifecycle chaincode querycommitted --channelID "$CHANNEL" --name "$CC" >/dev/null 2>&1; then
  for spec in "1 7051" "2 9051"; do
    as_org $spec
    # shellcheck disable=SC2086
    peer lifecycle chaincode approveformyorg $COMMON --package-id "$PACKAGE_ID"
  done
  PEERS="--peerAddresses peer0.org1.example.com:7051 --tlsRootCertFiles $C/peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem
         --peerAddresses peer0.org2.example.com:9051 --tlsRootCertFiles $C/peerOrganizations/org2.example.com/tlsca/tlsca.org2.example.com-cert.pem"
  as_org 1 7051
  # shellcheck disable=SC2086
  peer lifecycle chaincode commit $COMMON $PEERS
fi

echo "== authorise User1@org1 (the relay) to append audit batches"
as_org 1 7051
USER1=$C/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp
WHO=$(export CORE_PEER_MSPCONFIGPATH="$USER1"; retry peer chaincode query -C "$CHANNEL" -n "$CC" -c '{"Args":["Audit:WhoAmI"]}')
case "$WHO" in *'"appender":true'*) echo "already authorised" ;; *)
  ID_HASH=$(printf '%s' "$WHO" | sed -n 's/.*"idHash":"\([0-9a-f]*\)".*/\1/p')
  # shellcheck disable=SC2086
  retry peer chaincode invoke $ORDERER_ARGS -C "$CHANNEL" -n "$CC" --waitForEvent \
    --peerAddresses peer0.org1.example.com:7051 --tlsRootCertFiles $C/peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem \
    --peerAddresses peer0.org2.example.com:9051 --tlsRootCertFiles $C/peerOrganizations/org2.example.com/tlsca/tlsca.org2.example.com-cert.pem \
    -c "{\"Args\":[\"Audit:AuthorizeAppender\",\"Org1MSP\",\"$ID_HASH\"]}" ;;
esac

echo "== network.json"
key() { ls "$1"/keystore/*_sk >/dev/null 2>&1 && echo "$APP_OUT/crypto${1#"$C"}/keystore"; }
P1=$C/peerOrganizations/org1.example.com
P2=$C/peerOrganizations/org2.example.com
A=$APP_OUT/crypto
cat > "$OUT/network.json" <<JSON
{
  "version": 1, "channel": "$CHANNEL", "chaincode": "$CC", "pin": "hyperledger/fabric-peer:2.5",
  "orderer": { "endpoint": "orderer.example.com:7050", "hostAlias": "orderer.example.com",
    "tlsRootCert": "$A/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem", "mspId": "OrdererMSP" },
  "peers": [
    { "org": "Org1", "mspId": "Org1MSP", "endpoint": "peer0.org1.example.com:7051", "hostAlias": "peer0.org1.example.com",
      "tlsRootCert": "$A/peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem", "operations": "http://peer0.org1.example.com:9443" },
    { "org": "Org2", "mspId": "Org2MSP", "endpoint": "peer0.org2.example.com:9051", "hostAlias": "peer0.org2.example.com",
      "tlsRootCert": "$A/peerOrganizations/org2.example.com/tlsca/tlsca.org2.example.com-cert.pem", "operations": "http://peer0.org2.example.com:9443" }
  ],
  "identities": {
    "org1Appender": { "mspId": "Org1MSP", "cert": "$A/peerOrganizations/org1.example.com/users/User1@org1.example.com/msp/signcerts/User1@org1.example.com-cert.pem", "keyDir": "$(key "$P1/users/User1@org1.example.com/msp")", "role": "appender" },
    "org1Admin": { "mspId": "Org1MSP", "cert": "$A/peerOrganizations/org1.example.com/users/Admin@org1.example.com/msp/signcerts/Admin@org1.example.com-cert.pem", "keyDir": "$(key "$P1/users/Admin@org1.example.com/msp")", "role": "admin" },
    "org2Admin": { "mspId": "Org2MSP", "cert": "$A/peerOrganizations/org2.example.com/users/Admin@org2.example.com/msp/signcerts/Admin@org2.example.com-cert.pem", "keyDir": "$(key "$P2/users/Admin@org2.example.com/msp")", "role": "admin" },
    "org2User": { "mspId": "Org2MSP", "cert": "$A/peerOrganizations/org2.example.com/users/User1@org2.example.com/msp/signcerts/User1@org2.example.com-cert.pem", "keyDir": "$(key "$P2/users/User1@org2.example.com/msp")", "role": "client" }
  },
  "chaincodeServer": { "address": "cairn-chaincode:9999", "packageId": "$PACKAGE_ID" }
}
JSON
echo "Cairn's Fabric network is set up; network.json written."
