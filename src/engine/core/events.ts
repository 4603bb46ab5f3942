// The events the engine core reports to its event sink: the Docker Engine
// API's event message (GET /events), for the actions skiff's operations do.
export interface EngineEvent {
  Type: 'container' | 'image' | 'volume' | 'network';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** Seconds and nanoseconds since the epoch, as docker sends them. */
  time: number;
  timeNano: number;
}

export function event(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
  const nano = BigInt(Date.now()) * 1_000_000n;
  return { Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, time: Number(nano / 1_000_000_000n), timeNano: Number(nano) };
}
