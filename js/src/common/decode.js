// Decode what h5lens/wire.py `encode` sends: (header, buffers) -> typed array + metadata.
// Buffers arrive as DataView (ipywidgets), ArrayBuffer or typed arrays; a DataView may sit at
// any byteOffset inside a larger message buffer, so a typed view is made in place when the
// offset is aligned for the element size and the bytes are copied when it is not.

/**
 * @typedef {Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor
 *   | Uint16ArrayConstructor | Uint32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor} TypedCtor
 */

/**
 * Wire dtype name -> typed array constructor (the table of h5lens/wire.py).
 * @type {Record<string, TypedCtor>}
 */
export const TYPED = {
  int8: Int8Array, int16: Int16Array, int32: Int32Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array,
  float32: Float32Array, float64: Float64Array,
};

/**
 * A typed array of `Ctor` over `buf`, honouring byteOffset (copied when misaligned).
 * @param {DataView|ArrayBuffer|ArrayBufferView} buf
 * @param {TypedCtor} Ctor typed array constructor
 */
export function typedView(buf, Ctor) {
  if (buf instanceof ArrayBuffer) return new Ctor(buf);
  const { byteOffset, byteLength } = buf;
  const buffer = /** @type {ArrayBuffer} */ (buf.buffer); // a comm never hands us a SharedArrayBuffer
  const size = Ctor.BYTES_PER_ELEMENT;
  if (byteLength % size !== 0) {
    throw new Error(`buffer of ${byteLength} bytes is not a whole number of ${size}-byte elements`);
  }
  if (byteOffset % size === 0) return new Ctor(buffer, byteOffset, byteLength / size);
  return new Ctor(new Uint8Array(buffer, byteOffset, byteLength).slice().buffer);
}

/**
 * Decode one encoded array.
 * @param {{dtype: string, shape: number[], values?: string[], complex?: boolean,
 *          bool?: boolean, int64?: boolean, lossy?: boolean, source_dtype?: string}} header
 * @param {Array<DataView|ArrayBuffer|ArrayBufferView>} buffers
 * @returns {{dtype: string, shape: number[], size: number, data: ArrayLike<any>,
 *            complex: boolean, bool: boolean, lossy: boolean, sourceDtype: string|undefined}}
 *   `data` is flat in C order; for complex arrays it holds interleaved (re, im) pairs.
 */
export function decode(header, buffers = []) {
  const shape = header.shape ?? [];
  const size = shape.reduce((a, b) => a * b, 1);
  const out = {
    dtype: header.dtype, shape, size, complex: !!header.complex, bool: !!header.bool,
    lossy: !!header.lossy, sourceDtype: header.source_dtype,
  };
  if (header.dtype === "string") return { ...out, data: header.values ?? [] };
  const Ctor = TYPED[header.dtype];
  if (!Ctor) throw new Error(`unknown wire dtype ${JSON.stringify(header.dtype)}`);
  if (!buffers.length) throw new Error(`no buffer for a ${header.dtype} array`);
  const data = typedView(buffers[0], Ctor);
  const expected = out.complex ? 2 * size : size;
  if (data.length !== expected) {
    throw new Error(`${header.dtype} buffer holds ${data.length} values, shape ${JSON.stringify(shape)} needs ${expected}`);
  }
  return { ...out, data };
}

/** The i-th element of a decoded array as a JS value ([re, im] for complex, boolean for bool). */
export function element(decoded, i) {
  const { data } = decoded;
  if (decoded.complex) return [data[2 * i], data[2 * i + 1]];
  if (decoded.bool) return data[i] !== 0;
  return data[i];
}
