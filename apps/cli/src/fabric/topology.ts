/**
 * The fixed shape of Cairn's development network: one Raft orderer, one peer in each
 * of two organisations, one chaincode server, all on 127.0.0.1. Ports are the
 * defaults plus CAIRN_FABRIC_PORT_OFFSET.
 */
export const CHANNEL = "cairn";
export const CHAINCODE_NAME = "cairn";
export const CHAINCODE_VERSION = "1.0";
export const CHAINCODE_LABEL = "cairn_1";
export const HOST = "127.0.0.1";

export interface PeerSpec {
  org: "Org1" | "Org2";
  mspId: string;
  domain: string;
  name: string;
  port: number;
  chaincodePort: number;
  operationsPort: number;
}

export interface Topology {
  orderer: { name: string; domain: string; mspId: string; port: number; adminPort: number; operationsPort: number };
  peers: [PeerSpec, PeerSpec];
  chaincodePort: number;
}

export function topology(offset: number): Topology {
  const p = (n: number): number => n + offset;
  return {
    orderer: {
      name: "orderer",
      domain: "example.com",
      mspId: "OrdererMSP",
      port: p(7050),
      adminPort: p(7053),
      operationsPort: p(8443),
    },
    peers: [
      {
        org: "Org1",
        mspId: "Org1MSP",
        domain: "org1.example.com",
        name: "peer0",
        port: p(7051),
        chaincodePort: p(7052),
        operationsPort: p(9444),
      },
      {
        org: "Org2",
        mspId: "Org2MSP",
        domain: "org2.example.com",
        name: "peer0",
        port: p(9051),
        chaincodePort: p(9052),
        operationsPort: p(9445),
      },
    ],
    chaincodePort: p(9999),
  };
}
