// The WebGL2 colour path of the image view: the raw frame is uploaded once as an integer
// texture (float32 as its bits), and a fragment shader applies the domain, the scale's LUT bin
// edges (colour_edges.js), the LUT (256 × 1 RGBA texture), the bad colour and the mask colour.
// A colormap, scale or range change uploads 2 KB and re-runs the shader; nothing per pixel
// happens on the CPU. The result is the same pixels as colour.js `paint` + mask_paint.js (the
// edges make the comparison exact), drawn into an offscreen canvas at data resolution that the
// image view draws with zoom and pan exactly as it draws the Canvas2D one.
import { GL_KINDS, invalidKey, lutEdges } from "./colour_edges.js";

const VERTEX = `#version 300 es
void main() { // one triangle covering the viewport
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

// per kind: how a texel is read as an ordered key, and whether the scale can show it
const READ = {
  u: `#define KEY uint
uniform highp usampler2D u_data; uniform highp usampler2D u_edges;
KEY load(ivec2 p, out bool ok) { KEY v = texelFetch(u_data, p, 0).r; ok = u_domain == 1 ? v > 0u : true; return v; }`,
  i: `#define KEY int
uniform highp isampler2D u_data; uniform highp isampler2D u_edges;
KEY load(ivec2 p, out bool ok) { KEY v = texelFetch(u_data, p, 0).r; ok = u_domain == 1 ? v > 0 : u_domain == 2 ? v >= 0 : true; return v; }`,
  f: `#define KEY int
uniform highp usampler2D u_data; uniform highp isampler2D u_edges;
KEY load(ivec2 p, out bool ok) { // float32 bits: NaN/±Inf by the exponent, order by an int key
  uint b = texelFetch(u_data, p, 0).r;
  KEY k = (b & 0x80000000u) != 0u ? -int(b & 0x7fffffffu) : int(b);
  ok = (b & 0x7f800000u) != 0x7f800000u && (u_domain == 1 ? k > 0 : u_domain == 2 ? k >= 0 : true);
  return k;
}`,
};

const fragment = (kind) => `#version 300 es
precision highp float; precision highp int;
uniform int u_domain, u_count, u_height;
uniform bool u_clear, u_hasMask, u_hasInvalid;
uniform highp usampler2D u_mask;
uniform sampler2D u_lut;
uniform vec4 u_bad, u_maskColour;
${READ[kind]}
uniform KEY u_invalid;
out vec4 colour;
void main() {
  ivec2 p = ivec2(int(gl_FragCoord.x), u_height - 1 - int(gl_FragCoord.y)); // row 0 at the top
  bool ok;
  KEY v = load(p, ok);
  if ((u_hasMask && texelFetch(u_mask, p, 0).r != 0u) || (u_hasInvalid && v == u_invalid)) { colour = u_maskColour; return; }
  if (!ok) { colour = u_bad; return; }
  if (u_clear) { colour = vec4(0.0); return; }
  int i = 0; // LUT index = number of edges <= v (binary search over edges 1..u_count)
  for (int s = 128; s > 0; s >>= 1) {
    int j = i + s;
    if (j <= u_count && v >= texelFetch(u_edges, ivec2(j, 0), 0).r) i = j;
  }
  colour = texelFetch(u_lut, ivec2(i, 0), 0);
}`;

// texture formats of the frame's dtypes: [internal format, format, type, typed array view]
const FORMATS = {
  uint8: ["R8UI", "RED_INTEGER", "UNSIGNED_BYTE", Uint8Array],
  uint16: ["R16UI", "RED_INTEGER", "UNSIGNED_SHORT", Uint16Array],
  uint32: ["R32UI", "RED_INTEGER", "UNSIGNED_INT", Uint32Array],
  int8: ["R8I", "RED_INTEGER", "BYTE", Int8Array],
  int16: ["R16I", "RED_INTEGER", "SHORT", Int16Array],
  int32: ["R32I", "RED_INTEGER", "INT", Int32Array],
  float32: ["R32UI", "RED_INTEGER", "UNSIGNED_INT", Uint32Array], // the bits: no float maths, exact
};

// Renderers that rasterise on the CPU. Chromium 156 does not flag its SwiftShader WebGL2 as a
// "major performance caveat", so the renderer's name is read too.
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** The renderer's name (the unmasked one where the browser gives it). @param {WebGL2RenderingContext} gl */
function rendererOf(gl) {
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? "");
}

/** A colour as the shader's vec4 (bytes / 255: written back to the canvas exactly). */
const unit = (/** @type {number[]} */ c) => c.map((x) => x / 255);

export class GlColour {
  /**
   * A WebGL2 colour painter, or null where WebGL2 is missing or, unless `software`, only
   * emulated on the CPU (SwiftShader, llvmpipe: see SOFTWARE). Emulated, each
   * paint is a round trip to the GPU process and a CPU rasterisation of every pixel: measured
   * here 40 ms for 342 x 342 pixels and ~2 s at 4 MP, where Canvas2D's `paint` takes 2-3 ms and ~40 ms.
   * @param {() => void} onLost called once when the context is lost (the view then falls back to Canvas2D)
   * @param {{software?: boolean}} [options] software: accept an emulated WebGL2 (tests compare the two paths)
   * @returns {GlColour | null}
   */
  static create(onLost, { software = false } = {}) {
    const canvas = document.createElement("canvas");
    /** @type {WebGL2RenderingContext | null} */
    let gl = null;
    try {
      gl = canvas.getContext("webgl2", { alpha: true, premultipliedAlpha: false, antialias: false, depth: false,
        stencil: false, preserveDrawingBuffer: true, // kept: zoom and pan draw it again later
        failIfMajorPerformanceCaveat: !software });
    } catch { gl = null; }
    if (!gl) return null;
    if (!software && SOFTWARE.test(rendererOf(gl))) { // free it now: a page keeps only ~16 contexts
      gl.getExtension("WEBGL_lose_context")?.loseContext();
      return null;
    }
    try {
      return new GlColour(canvas, gl, onLost);
    } catch { return null; } // a shader that does not compile here: Canvas2D
  }

  /**
   * @param {HTMLCanvasElement} canvas
   * @param {WebGL2RenderingContext} gl
   * @param {() => void} onLost
   */
  constructor(canvas, gl, onLost) {
    this.canvas = canvas;
    this.gl = gl;
    this.lost = false;
    this.onLost = () => { if (!this.lost) { this.lost = true; onLost(); } };
    canvas.addEventListener("webglcontextlost", this.onLost);
    /** @type {Record<string, {program: WebGLProgram, at: Record<string, WebGLUniformLocation>}>} */
    this.programs = {};
    for (const kind of ["u", "i", "f"]) this.programs[kind] = this._program(kind);
    this.tex = { data: gl.createTexture(), edges: gl.createTexture(), lut: gl.createTexture(), mask: gl.createTexture() };
    this.maxSize = gl.getParameter(gl.MAX_TEXTURE_SIZE);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1); // rows of 1- and 2-byte texels are not 4-byte aligned
    /** what the textures hold: re-uploaded only when it changes */
    this.held = { data: null, dtype: "", w: 0, h: 0, mask: undefined, lut: null };
    this._upload("mask", "R8UI", "RED_INTEGER", "UNSIGNED_BYTE", 1, 1, new Uint8Array(1)); // bound even when unused
  }

  _program(kind) {
    const gl = this.gl, program = gl.createProgram();
    /** @type {Array<[number, string]>} */
    const stages = [[gl.VERTEX_SHADER, VERTEX], [gl.FRAGMENT_SHADER, fragment(kind)]];
    for (const [type, src] of stages) {
      const s = gl.createShader(type);
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) throw new Error(gl.getShaderInfoLog(s) ?? "shader");
      gl.attachShader(program, s);
    }
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) throw new Error(gl.getProgramInfoLog(program) ?? "link");
    /** @type {Record<string, WebGLUniformLocation>} */
    const at = {};
    for (const n of ["u_data", "u_edges", "u_mask", "u_lut", "u_domain", "u_count", "u_height", "u_clear", "u_hasMask",
      "u_hasInvalid", "u_invalid", "u_bad", "u_maskColour"]) at[n] = gl.getUniformLocation(program, n);
    return { program, at };
  }

  /**
   * Whether this path can colour `frame` (a scalar frame of a dtype it reads, within the texture size).
   * @param {{data: ArrayLike<number>, dtype: string, w: number, h: number, rgb?: boolean}} frame
   */
  accepts(frame) {
    return !this.lost && !frame.rgb && !!GL_KINDS[frame.dtype] && frame.w > 0 && frame.h > 0
      && frame.w <= this.maxSize && frame.h <= this.maxSize && frame.data.length >= frame.w * frame.h;
  }

  _upload(name, internal, format, type, w, h, pixels) {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.tex[name]);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl[internal], w, h, 0, gl[format], gl[type], pixels);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST); // integer textures: texelFetch only
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  }

  /**
   * Colour `frame` into this.canvas (w × h).
   * @param {{data: any, dtype: string, w: number, h: number, mask?: Uint8Array | null, invalid?: number | null}} frame
   * @param {{lutBytes: Uint8Array, vmin: number, vmax: number, scale: string, bad: number[]}} c
   * @param {number[]} maskRgba
   */
  render(frame, c, maskRgba) {
    const gl = this.gl, held = this.held, { w, h, dtype } = frame;
    if (held.data !== frame.data || held.dtype !== dtype || held.w !== w || held.h !== h) { // a new frame: the one upload
      const [internal, format, type, View] = FORMATS[dtype];
      const d = frame.data;
      this._upload("data", internal, format, type, w, h, new View(d.buffer, d.byteOffset, w * h));
      Object.assign(held, { data: d, dtype, w, h });
    }
    const mask = frame.mask && frame.mask.length >= w * h ? frame.mask : null;
    if (held.mask !== mask) {
      if (mask) this._upload("mask", "R8UI", "RED_INTEGER", "UNSIGNED_BYTE", w, h, mask.subarray(0, w * h));
      held.mask = mask;
    }
    if (held.lut !== c.lutBytes) {
      this._upload("lut", "RGBA8", "RGBA", "UNSIGNED_BYTE", 256, 1, c.lutBytes);
      held.lut = c.lutBytes;
    }
    const e = lutEdges(dtype, c.scale, c.vmin, c.vmax);
    this._upload("edges", e.kind === "u" ? "R32UI" : "R32I", "RED_INTEGER", e.kind === "u" ? "UNSIGNED_INT" : "INT", 256, 1, e.edges);
    const { program, at } = this.programs[e.kind];
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
    gl.viewport(0, 0, w, h);
    gl.useProgram(program);
    ["data", "edges", "lut", "mask"].forEach((name, unitIndex) => {
      gl.activeTexture(gl.TEXTURE0 + unitIndex);
      gl.bindTexture(gl.TEXTURE_2D, this.tex[name]);
      gl.uniform1i(at[`u_${name}`], unitIndex);
    });
    const inv = invalidKey(dtype, frame.invalid);
    gl.uniform1i(at.u_domain, e.domain);
    gl.uniform1i(at.u_count, e.count);
    gl.uniform1i(at.u_height, h);
    gl.uniform1i(at.u_clear, e.clear ? 1 : 0);
    gl.uniform1i(at.u_hasMask, mask ? 1 : 0);
    gl.uniform1i(at.u_hasInvalid, inv === null ? 0 : 1);
    if (e.kind === "u") gl.uniform1ui(at.u_invalid, inv ?? 0); else gl.uniform1i(at.u_invalid, inv ?? 0);
    gl.uniform4fv(at.u_bad, unit(c.bad));
    gl.uniform4fv(at.u_maskColour, unit(maskRgba));
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  /** Free the GPU memory now (the browser would, later). */
  destroy() {
    this.canvas.removeEventListener("webglcontextlost", this.onLost);
    if (this.gl.isContextLost()) return;
    for (const t of Object.values(this.tex)) this.gl.deleteTexture(t);
    for (const { program } of Object.values(this.programs)) this.gl.deleteProgram(program);
    this.gl.getExtension("WEBGL_lose_context")?.loseContext();
  }
}
