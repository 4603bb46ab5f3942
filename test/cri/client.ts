// A CRI v1 client as the kubelet is one: gRPC over containerd's unix
// socket, with the messages of test/cri/runtime-v1.proto. Each call returns
// a promise of the response object (proto-loader's plain objects, field
// names in lowerCamelCase, 64-bit integers as strings).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { projectRoot } from '../../src/native.js';

type Call = (request: object) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Service = Record<string, Call> & { close(): void };

function promisify(client: grpc.Client): Service {
  const out: Record<string, unknown> = { close: () => client.close() };
  for (const name of Object.keys(Object.getPrototypeOf(client))) {
    const fn = (client as unknown as Record<string, Function>)[name];
    if (typeof fn !== 'function') continue;
    out[name] = (request: object) => new Promise((resolve, reject) => {
      fn.call(client, request, { deadline: Date.now() + 60_000 } as grpc.CallOptions, (err: grpc.ServiceError | null, res: object) => (err ? reject(err) : resolve(res)));
    });
  }
  return out as Service;
}

export function criClients(socket: string): { runtime: Service; image: Service } {
  const def = protoLoader.loadSync(join(projectRoot, 'test/cri/runtime-v1.proto'), { longs: String, enums: String, defaults: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const pkg = (grpc.loadPackageDefinition(def) as any).runtime.v1;
  const address = `unix://${socket}`;
  return {
    runtime: promisify(new pkg.RuntimeService(address, grpc.credentials.createInsecure())),
    image: promisify(new pkg.ImageService(address, grpc.credentials.createInsecure())),
  };
}
