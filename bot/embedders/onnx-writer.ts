/**
 * A minimal writer of ONNX ModelProto bytes (protobuf), enough to express a fixed inference graph with
 * its weights as initializers. It lets the bot run a model whose weights ship in another format (USE
 * lite's TensorFlow.js shards) on onnxruntime-node, without any conversion tool or download.
 * Field numbers are those of onnx/onnx.proto.
 */
const utf8 = new TextEncoder();

type Bytes = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

function concat(parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const int = (field: number, n: number | bigint): Bytes => Uint8Array.from([...varint(field << 3), ...varint(n)]);
const bytes = (field: number, b: Bytes): Bytes =>
  concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(b.length)]), b]);
const str = (field: number, s: string): Bytes => bytes(field, utf8.encode(s));
const msg = (field: number, ...parts: Bytes[]): Bytes => bytes(field, concat(parts));
function float32(field: number, x: number): Bytes {
  const b = new Uint8Array(5);
  b[0] = (field << 3) | 5;
  new DataView(b.buffer).setFloat32(1, x, true);
  return b;
}

export const DataType = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7 } as const;

/** An attribute of a node: ints are INT (or INTS for arrays), floats FLOAT. */
export type Attribute = { name: string } & ({ int: number } | { ints: number[] } | { float: number });

function attribute(a: Attribute): Bytes {
  if ('int' in a) return msg(5, str(1, a.name), int(20, 2), int(3, a.int));
  if ('float' in a) return msg(5, str(1, a.name), int(20, 1), float32(2, a.float));
  return msg(5, str(1, a.name), int(20, 7), ...a.ints.map((i) => int(8, i)));
}

export interface Tensor {
  name: string;
  dims: number[];
  type: (typeof DataType)[keyof typeof DataType];
  data: Float32Array | Int8Array | Int32Array | BigInt64Array;
}

/** Dimensions as numbers (fixed) or strings (symbolic, e.g. "tokens"). */
export interface ValueInfo {
  name: string;
  type: (typeof DataType)[keyof typeof DataType];
  dims: Array<number | string>;
}

export class GraphBuilder {
  private readonly nodes: Bytes[] = [];
  private readonly initializers: Bytes[] = [];
  private counter = 0;
  private readonly domains = new Set<string>();

  /** Adds a node; returns its output names (generated unless given). `domain` e.g. "com.microsoft". */
  node(op: string, inputs: string[], attributes: Attribute[] = [], outputs?: string[], domain = ''): string[] {
    const outs = outputs ?? [`${op.toLowerCase()}_${this.counter++}`];
    if (domain) this.domains.add(domain);
    this.nodes.push(
      msg(
        1,
        ...inputs.map((i) => str(1, i)),
        ...outs.map((o) => str(2, o)),
        str(3, `${op}_${outs[0]}`),
        str(4, op),
        ...attributes.map(attribute),
        ...(domain ? [str(7, domain)] : []),
      ),
    );
    return outs;
  }

  /** One-output node, the common case. */
  op(op: string, inputs: string[], attributes: Attribute[] = [], output?: string): string {
    return this.node(op, inputs, attributes, output ? [output] : undefined)[0]!;
  }

  initializer(t: Tensor): string {
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    this.initializers.push(msg(5, ...t.dims.map((d) => int(1, d)), int(2, t.type), str(8, t.name), bytes(9, raw)));
    return t.name;
  }

  /** The op in a domain other than the default one (onnxruntime's contrib ops are "com.microsoft", version 1). */
  domainOp(domain: string, op: string, inputs: string[], attributes: Attribute[] = []): string {
    return this.node(op, inputs, attributes, undefined, domain)[0]!;
  }

  constant(
    name: string,
    values: number[],
    type: 'float' | 'int64' = 'float',
    dims: number[] = [values.length],
  ): string {
    return this.initializer({
      name,
      dims,
      type: type === 'float' ? DataType.FLOAT : DataType.INT64,
      data: type === 'float' ? Float32Array.from(values) : BigInt64Array.from(values.map(BigInt)),
    });
  }

  /** The ModelProto bytes (IR version 8, default opset `opset`). */
  build(name: string, inputs: ValueInfo[], outputs: ValueInfo[], opset = 17): Uint8Array {
    const valueInfo = (field: number, v: ValueInfo) =>
      msg(
        field,
        str(1, v.name),
        msg(
          2,
          msg(1, int(1, v.type), msg(2, ...v.dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d))))),
        ),
      );
    const graph = msg(
      7,
      ...this.nodes,
      str(2, name),
      ...this.initializers,
      ...inputs.map((v) => valueInfo(11, v)),
      ...outputs.map((v) => valueInfo(12, v)),
    );
    const opsets = [msg(8, str(1, ''), int(2, opset)), ...[...this.domains].map((d) => msg(8, str(1, d), int(2, 1)))];
    return concat([int(1, 8), str(2, 'privacy-inbox'), graph, ...opsets]);
  }
}
