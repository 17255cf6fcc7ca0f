/**
 * A WebAssembly SIMD kernel for the one hot loop of the vector scan: the int32 dot products of an
 * int8 query with many packed int8 rows. V8 runs the same loop in JavaScript one element at a time
 * (~2.5 ns per element on the 2-core bench machine); the kernel takes 16 elements per step
 * (`i32x4.dot_i16x8_s`), several times faster.
 *
 * The module is small enough to carry as bytes. Its source (WebAssembly text, assembled with
 * wabt's `wat2wasm`):
 *
 * ```wat
 * (module
 *   (memory (export "memory") 1)
 *   ;; out[i] = dot(query, rows[i]) for n rows of `dims` int8 (dims a multiple of 16), as int32.
 *   (func (export "dots") (param $query i32) (param $rows i32) (param $n i32) (param $dims i32) (param $out i32)
 *     (local $end i32) (local $j i32) (local $acc v128) (local $a v128) (local $b v128)
 *     (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
 *     (block $done
 *       (loop $row
 *         (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
 *         (local.set $acc (v128.const i32x4 0 0 0 0))
 *         (local.set $j (i32.const 0))
 *         (loop $lane
 *           (local.set $a (v128.load (i32.add (local.get $query) (local.get $j))))
 *           (local.set $b (v128.load (i32.add (local.get $rows) (local.get $j))))
 *           (local.set $acc (i32x4.add (local.get $acc)
 *             (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $a)) (i16x8.extend_low_i8x16_s (local.get $b)))))
 *           (local.set $acc (i32x4.add (local.get $acc)
 *             (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $a)) (i16x8.extend_high_i8x16_s (local.get $b)))))
 *           (local.set $j (i32.add (local.get $j) (i32.const 16)))
 *           (br_if $lane (i32.lt_u (local.get $j) (local.get $dims))))
 *         (i32.store (local.get $out)
 *           (i32.add
 *             (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
 *             (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
 *         (local.set $rows (i32.add (local.get $rows) (local.get $dims)))
 *         (local.set $out (i32.add (local.get $out) (i32.const 4)))
 *         (br $row))))
 * )
 * ```
 *
 * @module
 */

const WASM =
  'AGFzbQEAAAABCQFgBX9/f39/AAMCAQAFAwEAAQcRAgZtZW1vcnkCAARkb3RzAAAKswEBsAECAn8DeyAEIAJBAnRqIQUCQANAIAQgBU8NAf0MAAAAAAAAAAAAAAAAAAAAACEHQQAhBgNAIAAgBmr9AAQAIQggASAGav0ABAAhCSAHIAj9hwEgCf2HAf26Af2uASEHIAcgCP2IASAJ/YgB/boB/a4BIQcgBkEQaiEGIAYgA0kNAAsgBCAH/RsAIAf9GwFqIAf9GwIgB/0bA2pqNgIAIAEgA2ohASAEQQRqIQQMAAsLCw==';

/** The part of the WebAssembly global used here (the package's TypeScript libs omit the DOM's declarations). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (compiling then fails validation). */
function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasm ? new wasm.Module(Buffer.from(WASM, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A kernel instance over its own linear memory, laid out by the caller. */
export interface DotKernel {
  /** The whole linear memory (sized at creation; never grown, so views on it stay valid). */
  memory: ArrayBuffer;
  /** Writes `out[i] = query · rows[i]` (int32) for `n` rows of `dims` bytes; all arguments are byte offsets. */
  dots(query: number, rows: number, n: number, dims: number, out: number): void;
}

/** Whether the kernel can serve vectors of `dims` (a multiple of 16, on a runtime with WebAssembly SIMD). */
export function kernelSupports(dims: number): boolean {
  return dims % 16 === 0 && module() !== null;
}

/** A kernel with at least `bytes` of linear memory, or null when unsupported. */
export function createDotKernel(bytes: number): DotKernel | null {
  const mod = module();
  if (!mod || !wasm) return null;
  const instance = new wasm.Instance(mod);
  const memory = instance.exports.memory as WasmMemory;
  const pages = Math.ceil(bytes / 65536);
  if (pages > memory.buffer.byteLength / 65536) memory.grow(pages - memory.buffer.byteLength / 65536);
  const dots = instance.exports.dots as (query: number, rows: number, n: number, dims: number, out: number) => void;
  return { memory: memory.buffer, dots };
}
