/**
 * One gRPC connection to a peer's gateway service and the signing identity used on it.
 * Every gateway call gets a deadline from the configured timeouts.
 */
import { createPrivateKey } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { connect, hash, signers, type Contract, type Gateway } from "@hyperledger/fabric-gateway";
import type { FabricLedgerConfig, FabricTimeouts } from "./config";

export interface FabricConnection {
  gateway: Gateway;
  contract: Contract;
  close(): void;
}

const deadline = (ms: number) => () => ({ deadline: Date.now() + ms });

export function openConnection(config: FabricLedgerConfig, timeouts: FabricTimeouts): FabricConnection {
  const client = new grpc.Client(config.peerEndpoint, grpc.credentials.createSsl(Buffer.from(config.tlsRootCertPem)), {
    "grpc.ssl_target_name_override": config.peerHostAlias,
    "grpc.max_send_message_length": 100 * 1024 * 1024,
    "grpc.max_receive_message_length": 100 * 1024 * 1024,
  });
  const gateway = connect({
    client,
    identity: { mspId: config.mspId, credentials: new TextEncoder().encode(config.certPem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(config.keyPem)),
    hash: hash.sha256,
    evaluateOptions: deadline(timeouts.evaluateMs),
    endorseOptions: deadline(timeouts.endorseMs),
    submitOptions: deadline(timeouts.submitMs),
    commitStatusOptions: deadline(timeouts.commitStatusMs),
  });
  const contract = gateway.getNetwork(config.channel).getContract(config.chaincode);
  return {
    gateway,
    contract,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
