/*!
 * salesfloor landing-page fingerprint, version 1 (resources/web/fingerprint.js). No dependencies.
 *
 * Put it in the landing page's <head>:   <script src="fingerprint.js"></script>
 *
 * WHAT IT READS. Nothing personal, and nothing leaves the page until the visitor submits a form
 * whose consent box is ticked:
 *   - how this browser draws a fixed test picture on a hidden 2D canvas (Chinese text, emoji,
 *     gradients, blending): fonts, anti-aliasing and the graphics stack differ between devices;
 *   - WebGL: vendor and renderer (the unmasked ones through WEBGL_debug_renderer_info where the
 *     browser offers them), supported extensions and limits, the pixels of a small rendered scene;
 *   - a short silent OfflineAudioContext render (an oscillator through a compressor): nothing is
 *     played, the microphone is never touched;
 *   - screen size and colour depth, time zone name, preferred languages, CPU cores, platform and
 *     touch points (not device memory: browsers show it to https pages only, and the id must be the
 *     same on http and https pages).
 * It does NOT read cookies, storage, history, location, contacts, camera or microphone, nor any
 * field outside the form it is attached to, and it stores nothing on the device. The readings are
 * hashed (SHA-256) into one id of 64 hex digits; only that id is sent.
 *
 * PIPL: once sent with a lead, the id is personal information. The page MUST tell the visitor what
 * is collected and why and get consent (notice text: docs/fingerprint.md): the form needs a consent
 * checkbox marked data-salesfloor-consent, and while it is not ticked no fingerprint is sent.
 *
 * API
 *   window.salesfloorFingerprint()          -> Promise<string>  the id (computed once per page)
 *   window.salesfloorFingerprint.details()  -> Promise<{id, version, hash, rendered, components, notes}>
 *   window.salesfloorFingerprint.sha256Hex(text) -> Promise<string>
 * A component that is blocked, missing or randomised by the browser counts as "unavailable", so
 * the id stays the same from one load to the next. The hash uses crypto.subtle where the page is
 * a secure context and a built-in SHA-256 elsewhere (plain http pages): both give the same id.
 *
 * AUTO-ATTACH
 *   <form data-salesfloor-form
 *         data-salesfloor-endpoint="https://hub.example.com/forms/spring"   (optional)
 *         data-salesfloor-key="PUBLIC FORM KEY">                          (with an endpoint)
 *     <input name="name"> …
 *     <input type="checkbox" name="consent" required data-salesfloor-consent> 我同意…
 *   </form>
 * On submit the hidden fields `fingerprint` and `submission_id` are filled. With an endpoint the
 * form is posted as JSON with fetch (the same submission_id on a retry, so the hub counts it
 * once); without one the page's own submission goes ahead with the fields in it. The form's
 * data-salesfloor-state tells what happened (sending, sent, failed, consent-required) and the
 * form fires "salesfloor:sent" or "salesfloor:failed" (event.detail: {status, answer}).
 */
(function (window, document) {
  "use strict";

  var VERSION = "1";
  var UNAVAILABLE = "unavailable";
  var RENDERED = ["canvas", "webgl", "audio"];
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  /* ---- bytes and SHA-256 ---- */

  function utf8(text) {
    if (window.TextEncoder) return new TextEncoder().encode(text);
    var bin = unescape(encodeURIComponent(text));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function concatBytes(parts) {
    var chunks = parts.map(function (p) { return typeof p === "string" ? utf8(p) : p; });
    var size = chunks.reduce(function (n, c) { return n + c.length; }, 0);
    var out = new Uint8Array(size);
    var at = 0;
    chunks.forEach(function (c) { out.set(c, at); at += c.length; });
    return out;
  }

  function hex(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  /** SHA-256 in plain JavaScript, for pages where crypto.subtle is missing (http, old WebViews). */
  function sha256js(bytes) {
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var bitLen = bytes.length * 8;
    var padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[bytes.length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(bitLen / 0x100000000));
    view.setUint32(padded.length - 4, bitLen >>> 0);
    var w = new Array(64);
    for (var off = 0; off < padded.length; off += 64) {
      for (var t = 0; t < 16; t++) w[t] = view.getUint32(off + t * 4);
      for (t = 16; t < 64; t++) {
        var a15 = w[t - 15], a2 = w[t - 2];
        var s0 = ((a15 >>> 7) | (a15 << 25)) ^ ((a15 >>> 18) | (a15 << 14)) ^ (a15 >>> 3);
        var s1 = ((a2 >>> 17) | (a2 << 15)) ^ ((a2 >>> 19) | (a2 << 13)) ^ (a2 >>> 10);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    var out = new Uint8Array(32);
    var outView = new DataView(out.buffer);
    for (var i = 0; i < 8; i++) outView.setUint32(i * 4, H[i] >>> 0);
    return hex(out);
  }

  function subtle() {
    var c = window.crypto;
    return window.isSecureContext && c && c.subtle && typeof c.subtle.digest === "function" ? c.subtle : null;
  }

  /** SHA-256 of text or bytes as hex: crypto.subtle when the page may use it, else the JS version. */
  function sha256(parts) {
    var bytes = concatBytes([].concat(parts));
    var s = subtle();
    if (!s) return Promise.resolve(sha256js(bytes));
    return s.digest("SHA-256", bytes).then(
      function (digest) { return hex(new Uint8Array(digest)); },
      function () { return sha256js(bytes); }
    );
  }

  /* ---- components: each returns a list of parts (text or bytes) or throws ---- */

  function drawCanvas() {
    var canvas = document.createElement("canvas");
    canvas.width = 280;
    canvas.height = 72;
    var g = canvas.getContext("2d");
    if (!g) throw new Error("no 2d context");
    var linear = g.createLinearGradient(0, 0, 280, 72);
    linear.addColorStop(0, "#ff6a00");
    linear.addColorStop(0.5, "rgba(16, 96, 200, 0.7)");
    linear.addColorStop(1, "#00aa88");
    g.fillStyle = linear;
    g.fillRect(0, 0, 280, 72);
    var radial = g.createRadialGradient(210, 36, 4, 210, 36, 42);
    radial.addColorStop(0, "rgba(255, 255, 255, 0.9)");
    radial.addColorStop(1, "rgba(255, 0, 80, 0)");
    g.fillStyle = radial;
    g.beginPath();
    g.arc(210, 36, 42, 0, Math.PI * 2);
    g.fill();
    g.textBaseline = "alphabetic";
    g.font = "16px 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";
    g.fillStyle = "#102030";
    g.fillText("案场销管台 看房预约 😀🏠✨", 6, 24);
    g.font = "italic 13px Georgia, 'Times New Roman', serif";
    g.strokeStyle = "rgba(255, 255, 255, 0.85)";
    g.strokeText("Cwm fjordbank glyphs vext quiz ¥1,280,000 ✓", 6, 50);
    g.globalCompositeOperation = "multiply";
    g.fillStyle = "rgb(255, 0, 255)";
    g.beginPath();
    g.arc(60, 44, 22, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = "rgb(0, 255, 255)";
    g.beginPath();
    g.arc(84, 44, 22, 0, Math.PI * 2);
    g.fill();
    g.globalCompositeOperation = "source-over";
    g.shadowBlur = 6;
    g.shadowColor = "rgba(0, 0, 0, 0.6)";
    g.fillStyle = "rgba(250, 220, 40, 0.8)";
    g.fillText("指纹 🧧", 150, 66);
    var url = canvas.toDataURL("image/png");
    if (!url || url.length < 100) throw new Error("canvas read-out blocked");
    return url;
  }

  function canvasComponent() {
    var first = drawCanvas();
    if (drawCanvas() !== first) throw new Error("canvas read-out is randomised");
    return [first];
  }

  var VERTEX = "attribute vec2 p; varying vec2 v; void main() { v = p; gl_Position = vec4(p, 0.0, 1.0); }";
  var FRAGMENT =
    "precision mediump float; varying vec2 v; void main() {" +
    " float n = fract(sin(dot(v, vec2(12.9898, 78.233))) * 43758.5453);" +
    " gl_FragColor = vec4(sin(v.x * 7.3) * 0.5 + 0.5, cos(v.y * 5.1) * 0.5 + 0.5, n, 1.0); }";

  function drawScene(gl) {
    function shader(type, text) {
      var s = gl.createShader(type);
      gl.shaderSource(s, text);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error("shader did not compile");
      return s;
    }
    var program = gl.createProgram();
    gl.attachShader(program, shader(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(program, shader(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error("program did not link");
    gl.useProgram(program);
    var buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-0.9, -0.7, 0.8, -0.95, 0.15, 0.9, -0.4, 0.3]), gl.STATIC_DRAW);
    var at = gl.getAttribLocation(program, "p");
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, 2, gl.FLOAT, false, 0, 0);
    gl.clearColor(0.1, 0.2, 0.3, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    var pixels = new Uint8Array(64 * 64 * 4);
    gl.readPixels(0, 0, 64, 64, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    return pixels;
  }

  function webglComponent() {
    var canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 64;
    var options = { preserveDrawingBuffer: true, antialias: false, failIfMajorPerformanceCaveat: false };
    var gl = canvas.getContext("webgl", options) || canvas.getContext("experimental-webgl", options);
    if (!gl) throw new Error("no WebGL");
    try {
      var text = [gl.getParameter(gl.VENDOR), gl.getParameter(gl.RENDERER), gl.getParameter(gl.VERSION),
        gl.getParameter(gl.SHADING_LANGUAGE_VERSION)];
      var debug = gl.getExtension("WEBGL_debug_renderer_info");
      if (debug) {
        text.push(gl.getParameter(debug.UNMASKED_VENDOR_WEBGL), gl.getParameter(debug.UNMASKED_RENDERER_WEBGL));
      }
      text.push((gl.getSupportedExtensions() || []).slice().sort().join(","));
      ["MAX_TEXTURE_SIZE", "MAX_RENDERBUFFER_SIZE", "MAX_VIEWPORT_DIMS", "MAX_VERTEX_ATTRIBS",
        "MAX_VERTEX_UNIFORM_VECTORS", "MAX_FRAGMENT_UNIFORM_VECTORS", "MAX_VARYING_VECTORS",
        "MAX_COMBINED_TEXTURE_IMAGE_UNITS", "ALIASED_LINE_WIDTH_RANGE", "ALIASED_POINT_SIZE_RANGE"
      ].forEach(function (name) {
        var value = gl.getParameter(gl[name]);
        text.push(name + "=" + (value && value.length !== undefined ? Array.prototype.join.call(value, "x") : value));
      });
      var precision = gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT);
      if (precision) text.push("highp=" + [precision.rangeMin, precision.rangeMax, precision.precision].join(","));
      var pixels = drawScene(gl);
      var again = drawScene(gl);
      for (var i = 0; i < pixels.length; i++) {
        if (pixels[i] !== again[i]) throw new Error("WebGL read-out is randomised");
      }
      return [text.join("\n"), "\n", pixels];
    } finally {
      var lose = gl.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
    }
  }

  function audioComponent() {
    var Offline = window.OfflineAudioContext || window.webkitOfflineAudioContext;
    if (!Offline) return Promise.reject(new Error("no OfflineAudioContext"));
    var context = new Offline(1, 5000, 44100);
    var oscillator = context.createOscillator();
    oscillator.type = "triangle";
    oscillator.frequency.value = 10000;
    var compressor = context.createDynamicsCompressor();
    compressor.threshold.value = -50;
    compressor.knee.value = 40;
    compressor.ratio.value = 12;
    compressor.attack.value = 0;
    compressor.release.value = 0.25;
    oscillator.connect(compressor);
    compressor.connect(context.destination);
    oscillator.start(0);
    return new Promise(function (resolve, reject) {
      var settled = false;
      function finish(buffer) {
        if (settled) return;
        settled = true;
        var samples = buffer.getChannelData(0);
        var sum = 0;
        for (var i = 4500; i < 5000; i++) sum += Math.abs(samples[i]);
        resolve([sum.toString()]);
      }
      // a page in the background may never finish rendering: give up rather than hang the form
      setTimeout(function () {
        if (!settled) { settled = true; reject(new Error("audio render timed out")); }
      }, 1500);
      context.oncomplete = function (event) { finish(event.renderedBuffer); };
      var started = context.startRendering();
      if (started && typeof started.then === "function") started.then(finish, reject);
    });
  }

  function signalComponents() {
    var screen = window.screen || {};
    var nav = window.navigator || {};
    var sides = [screen.width | 0, screen.height | 0].sort(function (a, b) { return b - a; });
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    var languages = nav.languages && nav.languages.length ? Array.prototype.join.call(nav.languages, ",") : nav.language;
    return {
      screen: sides.join("x") + "x" + (screen.colorDepth | 0), // sorted: turning a phone changes nothing
      timezone: zone,
      languages: languages || "",
      cpu: String(nav.hardwareConcurrency || 0),
      platform: nav.platform || "",
      touch: String(nav.maxTouchPoints || 0)
    };
  }

  /* ---- the id ---- */

  function settle(name, run, components, notes) {
    return new Promise(function (resolve) { resolve(run()); })
      .then(function (parts) { return sha256(parts); })
      .then(function (digest) { components[name] = digest; }, function (error) {
        components[name] = UNAVAILABLE;
        notes[name] = String((error && error.message) || error);
      });
  }

  function compute() {
    var components = {};
    var notes = {};
    var signals = signalComponents();
    var jobs = [
      settle("canvas", canvasComponent, components, notes),
      settle("webgl", webglComponent, components, notes),
      settle("audio", audioComponent, components, notes)
    ];
    Object.keys(signals).forEach(function (name) {
      jobs.push(settle(name, function () { return [signals[name]]; }, components, notes));
    });
    return Promise.all(jobs).then(function () {
      var lines = Object.keys(components).sort().map(function (name) { return name + "=" + components[name]; });
      return sha256("salesfloor-fp/" + VERSION + "\n" + lines.join("\n")).then(function (id) {
        var rendered = RENDERED.filter(function (name) { return components[name] !== UNAVAILABLE; }).length;
        return {
          id: id, version: VERSION, hash: subtle() ? "subtle" : "js",
          rendered: rendered, components: components, notes: notes
        };
      });
    });
  }

  var pending = null;

  function details() {
    if (!pending) pending = compute();
    return pending;
  }

  function salesfloorFingerprint() {
    return details().then(function (d) { return d.id; });
  }

  salesfloorFingerprint.details = details;
  salesfloorFingerprint.sha256Hex = function (text) { return sha256(String(text)); };
  salesfloorFingerprint.version = VERSION;
  window.salesfloorFingerprint = salesfloorFingerprint;

  /* ---- auto-attach to forms marked data-salesfloor-form ---- */

  function randomId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return hex(bytes);
  }

  function hidden(form, name) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    return input;
  }

  function consentBox(form) {
    return form.querySelector("[data-salesfloor-consent]");
  }

  function report(form, state, status, answer) {
    form.setAttribute("data-salesfloor-state", state);
    if (state === "sent" || state === "failed") {
      var Custom = window.CustomEvent;
      form.dispatchEvent(new Custom("salesfloor:" + state, { detail: { status: status, answer: answer } }));
    }
  }

  function fill(form) {
    var ids = hidden(form, "submission_id");
    if (!ids.value) ids.value = randomId(); // kept: a retry of the same form is the same submission
    return details().then(function (d) {
      // with no rendered component the id would be shared by many phones of one model: send none
      hidden(form, "fingerprint").value = d.rendered > 0 ? d.id : "";
    }, function () {
      hidden(form, "fingerprint").value = "";
    });
  }

  function record(form) {
    var out = {};
    new FormData(form).forEach(function (value, key) {
      if (typeof value !== "string") return; // files are never sent
      out[key] = Object.prototype.hasOwnProperty.call(out, key) ? [].concat(out[key], value) : value;
    });
    var box = consentBox(form);
    if (box) out.consent = box.checked === true; // the hub reads "consent", whatever the box is called
    return out;
  }

  function post(form, endpoint) {
    report(form, "sending");
    return fill(form).then(function () {
      var data = record(form);
      var content = JSON.stringify(Object.assign({}, data, { submission_id: "" }));
      if (form.salesfloorSent !== undefined && form.salesfloorSent !== content) {
        // corrected after it was sent: a new submission (the same id with another body would be refused);
        // pressing submit again unchanged stays the same submission and is answered as a replay
        data.submission_id = hidden(form, "submission_id").value = randomId();
      }
      form.salesfloorPending = content;
      return window.fetch(endpoint, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json", "X-Salesfloor-Form-Key": form.getAttribute("data-salesfloor-key") || "" },
        body: JSON.stringify(data)
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) form.salesfloorSent = form.salesfloorPending;
        report(form, response.ok ? "sent" : "failed", response.status, answer);
      });
    }, function (error) {
      report(form, "failed", 0, { error: String((error && error.message) || error) });
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-salesfloor-form]")) return;
    var endpoint = form.getAttribute("data-salesfloor-endpoint");
    var box = consentBox(form);
    var consented = !!(box && box.checked);
    if (!endpoint) {
      if (!consented || form.__salesfloorFilled) return; // the page's own submission goes ahead
      event.preventDefault();
      fill(form).then(function () {
        form.__salesfloorFilled = true;
        HTMLFormElement.prototype.submit.call(form);
      });
      return;
    }
    event.preventDefault();
    if (form.getAttribute("data-salesfloor-state") === "sending") return;
    if (!consented) {
      report(form, "consent-required");
      return;
    }
    post(form, endpoint);
  }

  function onChange(event) {
    var box = event.target;
    if (box && box.matches && box.matches("[data-salesfloor-consent]") && box.checked) details(); // warm up
  }

  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("change", onChange, true);
})(window, document);
