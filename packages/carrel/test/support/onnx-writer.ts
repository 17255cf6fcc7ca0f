/**
 * Just enough of the ONNX protobuf encoding (onnx.proto3: ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto) to write an inference graph. Hand-written because the format is a
 * few length-delimited fields, which is smaller than a protobuf dependency plus the schema.
 *
 * @module
 */

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;

/** A graph input or output: name, element type, shape (strings are symbolic dimensions). */
export interface ValueInfo {
  name: string;
  type: number;
  shape: readonly (number | string)[];
}

/** A node attribute value. */
export type Attribute = number | readonly number[] | { float: number };

/** One node of the graph. */
export interface Node {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, Attribute>;
  domain?: string;
}

/** A constant tensor (weights, shapes, axes). */
export interface Initializer {
  name: string;
  type: number;
  dims: readonly number[];
  data: Float32Array | Int8Array | Uint8Array | BigInt64Array;
}

class Buf {
  private chunks: Uint8Array[] = [];
  private size = 0;

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(value: number | bigint): void {
    // Negative int64 values take ten bytes of two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.bytes(Uint8Array.from(out));
  }

  key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): void {
    this.key(field, 0);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.bytes(b);
  }

  message(field: number, body: Uint8Array): void {
    this.key(field, 2);
    this.varint(body.length);
    this.bytes(body);
  }

  string(field: number, text: string): void {
    this.message(field, new TextEncoder().encode(text));
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const build = (fill: (b: Buf) => void): Uint8Array => {
  const b = new Buf();
  fill(b);
  return b.finish();
};

function attribute(name: string, value: Attribute): Uint8Array {
  return build((b) => {
    b.string(1, name);
    if (typeof value === 'number') {
      b.int(3, value);
      b.int(20, 2); // INT
    } else if ('float' in value) {
      b.float(2, value.float);
      b.int(20, 1); // FLOAT
    } else {
      for (const v of value) b.int(8, v);
      b.int(20, 7); // INTS
    }
  });
}

function tensor(t: Initializer): Uint8Array {
  return build((b) => {
    for (const d of t.dims) b.int(1, d);
    b.int(2, t.type);
    b.string(8, t.name);
    b.message(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  });
}

function valueInfo(v: ValueInfo): Uint8Array {
  const shape = build((b) => {
    for (const d of v.shape)
      b.message(
        1,
        build((dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d))),
      );
  });
  const tensorType = build((b) => {
    b.int(1, v.type);
    b.message(2, shape);
  });
  return build((b) => {
    b.string(1, v.name);
    b.message(
      2,
      build((t) => t.message(1, tensorType)),
    );
  });
}

/** Serializes a model (IR version 8, default opset 17, the first with LayerNormalization). */
export function encodeModel(graph: {
  name: string;
  nodes: readonly Node[];
  initializers: readonly Initializer[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}): Uint8Array {
  const graphBytes = build((b) => {
    graph.nodes.forEach((n, i) =>
      b.message(
        1,
        build((node) => {
          for (const input of n.inputs) node.string(1, input);
          for (const output of n.outputs) node.string(2, output);
          node.string(3, `${n.op}_${i}`);
          node.string(4, n.op);
          for (const [name, value] of Object.entries(n.attributes ?? {})) node.message(5, attribute(name, value));
          if (n.domain) node.string(7, n.domain);
        }),
      ),
    );
    b.string(2, graph.name);
    for (const t of graph.initializers) b.message(5, tensor(t));
    for (const v of graph.inputs) b.message(11, valueInfo(v));
    for (const v of graph.outputs) b.message(12, valueInfo(v));
  });
  return build((b) => {
    b.int(1, 8);
    b.string(2, 'carrel-test');
    b.message(7, graphBytes);
    b.message(
      8,
      build((o) => {
        o.string(1, '');
        o.int(2, 17);
      }),
    );
  });
}
