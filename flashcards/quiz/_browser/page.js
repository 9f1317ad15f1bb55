/* The certification paper in a browser: docs/quiz-files.md (format 2) is the contract.
 *
 * Paper text only ever reaches the page through textContent and form values, never as
 * HTML. The answers are signed here with HMAC-SHA256 and the paper's token over the same
 * canonical JSON bytes as Python's json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=True). SHA-256 is written out below rather than taken from Web Crypto,
 * which browsers only offer in "secure contexts": a file opened from a plain-HTTP share or
 * an app's preview would otherwise be unable to finish.
 */
(function () {
  'use strict';

  // ---- SHA-256 (FIPS 180-4) and HMAC (RFC 2104) ----------------------------------

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

  function rotr(x, n) {
    return (x >>> n) | (x << (32 - n));
  }

  function sha256(message) {
    var length = message.length;
    var padded = (((length + 9) + 63) >> 6) << 6;
    var buffer = new Uint8Array(padded);
    buffer.set(message);
    buffer[length] = 0x80;
    var view = new DataView(buffer.buffer);
    view.setUint32(padded - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded - 4, (length << 3) >>> 0);
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var W = new Array(64);
    for (var offset = 0; offset < padded; offset += 64) {
      var t;
      for (t = 0; t < 16; t++) {
        W[t] = view.getUint32(offset + 4 * t);
      }
      for (t = 16; t < 64; t++) {
        var w15 = W[t - 15];
        var w2 = W[t - 2];
        var s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
        var s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) >>> 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + W[t]) >>> 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) >>> 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) >>> 0;
      }
      H[0] = (H[0] + a) >>> 0;
      H[1] = (H[1] + b) >>> 0;
      H[2] = (H[2] + c) >>> 0;
      H[3] = (H[3] + d) >>> 0;
      H[4] = (H[4] + e) >>> 0;
      H[5] = (H[5] + f) >>> 0;
      H[6] = (H[6] + g) >>> 0;
      H[7] = (H[7] + h) >>> 0;
    }
    var digest = new Uint8Array(32);
    var out = new DataView(digest.buffer);
    for (var i = 0; i < 8; i++) {
      out.setUint32(4 * i, H[i]);
    }
    return digest;
  }

  function hmacSha256(key, message) {
    if (key.length > 64) {
      key = sha256(key);
    }
    var inner = new Uint8Array(64 + message.length);
    var outer = new Uint8Array(64 + 32);
    for (var i = 0; i < 64; i++) {
      var k = i < key.length ? key[i] : 0;
      inner[i] = k ^ 0x36;
      outer[i] = k ^ 0x5c;
    }
    inner.set(message, 64);
    outer.set(sha256(inner), 64);
    return sha256(outer);
  }

  function hexToBytes(hex) {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
      throw new Error('not a hex string');
    }
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(hex.substr(2 * i, 2), 16);
    }
    return bytes;
  }

  function bytesToHex(bytes) {
    var hex = '';
    for (var i = 0; i < bytes.length; i++) {
      hex += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    }
    return hex;
  }

  function asciiBytes(text) {
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (code > 0x7f) {
        throw new Error('not ASCII');
      }
      bytes[i] = code;
    }
    return bytes;
  }

  // ---- Canonical JSON: the bytes Python's json.dumps(..., ensure_ascii=True) gives ----

  var SHORT_ESCAPES = {0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t'};

  function jsonString(text) {
    var out = '"';
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i); // a UTF-16 code unit: astral characters give two escapes
      if (SHORT_ESCAPES[code] !== undefined) {
        out += SHORT_ESCAPES[code];
      } else if (code < 0x20 || code > 0x7e) {
        out += '\\u' + ('000' + code.toString(16)).slice(-4);
      } else {
        out += text.charAt(i);
      }
    }
    return out + '"';
  }

  function byCodePoint(x, y) {
    // Python sorts str keys by code point; JavaScript's default sort compares UTF-16 units.
    var a = Array.from(x);
    var b = Array.from(y);
    for (var i = 0; i < a.length && i < b.length; i++) {
      var d = a[i].codePointAt(0) - b[i].codePointAt(0);
      if (d !== 0) {
        return d;
      }
    }
    return a.length - b.length;
  }

  function canonicalJSON(value) {
    if (value === null) {
      return 'null';
    }
    if (value === true || value === false) {
      return String(value);
    }
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) {
        throw new Error('only integers can be signed');
      }
      return String(value);
    }
    if (typeof value === 'string') {
      return jsonString(value);
    }
    if (Array.isArray(value)) {
      return '[' + value.map(canonicalJSON).join(',') + ']';
    }
    if (typeof value === 'object') {
      var keys = Object.keys(value).sort(byCodePoint);
      return '{' + keys.map(function (key) {
        return jsonString(key) + ':' + canonicalJSON(value[key]);
      }).join(',') + '}';
    }
    throw new Error('cannot sign a ' + typeof value);
  }

  function signature(answers, tokenHex) {
    var body = {};
    Object.keys(answers).forEach(function (key) {
      if (key !== 'signature') {
        body[key] = answers[key];
      }
    });
    return bytesToHex(hmacSha256(hexToBytes(tokenHex), asciiBytes(canonicalJSON(body))));
  }

  function textBlock(answers) {
    // canonicalJSON is pure ASCII, so it is its own UTF-8 and btoa can take it as is.
    var encoded = btoa(canonicalJSON(answers));
    var lines = ['-----BEGIN FLASHCARDS ANSWERS-----'];
    for (var i = 0; i < encoded.length; i += 64) {
      lines.push(encoded.slice(i, i + 64));
    }
    lines.push('-----END FLASHCARDS ANSWERS-----');
    return lines.join('\n') + '\n';
  }

  // Exposed for the tests (and curious learners); none of it reveals anything about the key.
  window.FlashcardsPaper = {
    sha256Hex: function (bytes) { return bytesToHex(sha256(Uint8Array.from(bytes))); },
    hmacSha256Hex: function (keyHex, bytes) { return bytesToHex(hmacSha256(hexToBytes(keyHex), Uint8Array.from(bytes))); },
    canonicalJSON: canonicalJSON,
    signature: signature,
    textBlock: textBlock
  };

  // ---- The page ------------------------------------------------------------------

  var dataElement = document.getElementById('paper-data');
  if (!dataElement) {
    return;
  }
  var paper = JSON.parse(dataElement.textContent);
  var questions = paper.questions;
  var limitSeconds = paper.quiz.time_limit_seconds;
  var STORE_KEY = 'flashcards-paper:' + paper.paper;
  var LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

  function $(id) {
    return document.getElementById(id);
  }

  var storage = (function () {
    try {
      var probe = STORE_KEY + ':probe';
      window.localStorage.setItem(probe, '1');
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null;
    }
  })();

  function blankState() {
    return {v: 1, stage: 'start', startedMs: null, started_at: null, current: 0, answers: {}, finished: null};
  }

  function loadState() {
    var state = null;
    if (storage) {
      try {
        state = JSON.parse(storage.getItem(STORE_KEY));
      } catch (error) {
        state = null;
      }
    }
    if (!state || state.v !== 1 || ['start', 'question', 'review', 'finished'].indexOf(state.stage) < 0) {
      return blankState();
    }
    // Keep only answers that name a question and an option of this paper.
    var answers = {};
    questions.forEach(function (question) {
      var given = state.answers && state.answers[question.id];
      if (given && question.options.some(function (o) { return o.id === given.choice; })) {
        answers[question.id] = {choice: given.choice, at: String(given.at)};
      }
    });
    state.answers = answers;
    state.current = Math.min(Math.max(0, state.current | 0), questions.length - 1);
    if (state.stage !== 'start' && typeof state.startedMs !== 'number') {
      return blankState();
    }
    if (state.stage === 'finished' && !(state.finished && state.finished.answers)) {
      state.stage = 'review';
    }
    return state;
  }

  function save() {
    if (storage) {
      try {
        storage.setItem(STORE_KEY, JSON.stringify(state));
      } catch (error) {
        // Storage full or revoked: the attempt goes on in this tab.
      }
    }
  }

  var state = loadState();

  // ---- Time -------------------------------------------------------------------------

  function isoTime(ms) {
    // Whole seconds in UTC with an explicit offset, as Python's isoformat() writes them.
    return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + '+00:00';
  }

  function remainingMs() {
    return state.startedMs + limitSeconds * 1000 - Date.now();
  }

  function clockText(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (h && m < 10 ? '0' : '') + m;
    return (h ? h + ':' : '') + mm + ':' + (s < 10 ? '0' : '') + s;
  }

  function durationText(seconds) {
    if (seconds % 60 === 0) {
      var minutes = seconds / 60;
      return minutes + (minutes === 1 ? ' minute' : ' minutes');
    }
    return clockText(seconds) + ' (minutes:seconds)';
  }

  function localTime(iso) {
    var date = new Date(iso);
    return date.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
  }

  var announced = {};

  function announce(text) {
    $('announce').textContent = text;
  }

  function tick() {
    if (state.stage !== 'question' && state.stage !== 'review') {
      return;
    }
    var clock = $('clock');
    if (limitSeconds === null || limitSeconds === undefined) {
      clock.textContent = 'No time limit';
      return;
    }
    var left = remainingMs();
    if (left <= 0) {
      finish(true);
      return;
    }
    var seconds = Math.ceil(left / 1000);
    clock.textContent = 'Time left ' + clockText(seconds);
    clock.classList.toggle('low', seconds <= 60);
    // The clock itself is silent for screen readers; these two moments are announced once.
    [[300, '5 minutes left.'], [60, '1 minute left.']].forEach(function (mark) {
      if (seconds <= mark[0] && limitSeconds > mark[0] && !announced[mark[0]]) {
        announced[mark[0]] = true;
        announce(mark[1]);
      }
    });
  }

  // ---- Screens ----------------------------------------------------------------------

  function answeredCount() {
    return Object.keys(state.answers).length;
  }

  function showScreen(name, focusId) {
    ['start', 'question', 'review', 'finish'].forEach(function (screen) {
      $('screen-' + screen).hidden = screen !== name;
    });
    $('bar').hidden = name !== 'question' && name !== 'review';
    if (focusId) {
      $(focusId).focus();
    }
  }

  function renderStart() {
    var quiz = paper.quiz;
    $('start-title').textContent = quiz.title;
    $('fact-learner').textContent = paper.learner.name;
    $('fact-count').textContent = String(questions.length);
    $('fact-pass').textContent = quiz.pass_mark + '%';
    $('fact-time').textContent = limitSeconds ? durationText(limitSeconds) : 'none';
    $('fact-attempts').textContent = quiz.max_attempts ? String(quiz.max_attempts) : 'no limit';
    $('note-clock').textContent = limitSeconds
      ? 'The clock starts when you press Start and the time left is always shown. When it runs out, '
        + 'the quiz finishes with the answers given so far.'
      : 'There is no time limit.';
    $('storage-warning').hidden = Boolean(storage);
  }

  function renderQuestion() {
    var index = state.current;
    var question = questions[index];
    var chosen = state.answers[question.id];
    $('question-heading').textContent = 'Question ' + (index + 1) + ' of ' + questions.length;
    $('question-prompt').textContent = question.prompt;
    var options = $('question-options');
    options.textContent = '';
    question.options.forEach(function (option, n) {
      var label = document.createElement('label');
      label.className = 'option';
      var input = document.createElement('input');
      input.type = 'radio';
      input.name = 'choice';
      input.value = option.id;
      input.checked = Boolean(chosen && chosen.choice === option.id);
      var letter = document.createElement('span');
      letter.className = 'letter';
      letter.setAttribute('aria-hidden', 'true');
      letter.textContent = LETTERS.charAt(n) + '.';
      var text = document.createElement('span');
      text.className = 'text';
      text.textContent = option.text;
      label.appendChild(input);
      label.appendChild(letter);
      label.appendChild(text);
      options.appendChild(label);
    });
    $('previous').disabled = index === 0;
    $('next').textContent = index === questions.length - 1 ? 'Review answers' : 'Next';
    renderProgress();
  }

  function renderProgress() {
    $('progress').textContent = answeredCount() + ' of ' + questions.length + ' answered';
  }

  function optionText(question, optionId) {
    for (var i = 0; i < question.options.length; i++) {
      if (question.options[i].id === optionId) {
        return LETTERS.charAt(i) + '. ' + question.options[i].text;
      }
    }
    return '';
  }

  function renderReview() {
    var list = $('review-list');
    list.textContent = '';
    questions.forEach(function (question, index) {
      var item = document.createElement('li');
      var prompt = document.createElement('p');
      prompt.className = 'question';
      prompt.textContent = (index + 1) + '. ' + question.prompt;
      var answer = document.createElement('p');
      var given = state.answers[question.id];
      answer.className = given ? 'answer' : 'answer missing';
      answer.textContent = given ? optionText(question, given.choice) : 'Not answered';
      var change = document.createElement('button');
      change.type = 'button';
      change.textContent = 'Change';
      change.setAttribute('aria-label', 'Change the answer to question ' + (index + 1));
      change.addEventListener('click', function () {
        goToQuestion(index);
      });
      item.appendChild(prompt);
      item.appendChild(answer);
      item.appendChild(change);
      list.appendChild(item);
    });
    var missing = questions.length - answeredCount();
    $('review-summary').textContent = answeredCount() + ' of ' + questions.length + ' questions answered.'
      + (missing ? ' ' + missing + (missing === 1 ? ' is' : ' are') + ' blank and will count as wrong.' : '')
      + ' Finishing signs your answers; after that they cannot be changed.';
    renderProgress();
  }

  function renderFinish() {
    var result = state.finished;
    var answers = result.answers;
    var given = Object.keys(answers.answers).filter(function (id) {
      return answers.answers[id].choice !== null;
    }).length;
    $('finish-heading').textContent = result.timedOut
      ? 'Time is up: your answers are signed'
      : 'Your answers are signed and ready to send';
    $('finish-summary').textContent = paper.learner.name + ': ' + given + ' of ' + questions.length
      + ' questions answered, started ' + localTime(answers.started_at) + ', finished '
      + localTime(answers.finished_at) + ' (this device\'s clock).';
    $('download-name').textContent = 'File name: ' + fileName();
    $('answers-block').value = textBlock(answers);
  }

  function render(focus) {
    if (state.stage === 'start') {
      renderStart();
      showScreen('start', focus && 'start-title');
    } else if (state.stage === 'question') {
      renderQuestion();
      showScreen('question', focus && 'question-heading');
    } else if (state.stage === 'review') {
      renderReview();
      showScreen('review', focus && 'review-heading');
    } else {
      renderFinish();
      showScreen('finish', focus && 'finish-heading');
    }
    tick();
  }

  // ---- Actions ----------------------------------------------------------------------

  function timeIsUp() {
    return limitSeconds && state.startedMs !== null && remainingMs() <= 0;
  }

  function goToQuestion(index) {
    if (timeIsUp()) {
      finish(true);
      return;
    }
    state.stage = 'question';
    state.current = index;
    save();
    render(true);
  }

  function goToReview() {
    if (timeIsUp()) {
      finish(true);
      return;
    }
    state.stage = 'review';
    save();
    render(true);
  }

  function finish(timedOut) {
    if (state.stage === 'finished') {
      return;
    }
    var answers = {};
    questions.forEach(function (question) {
      var given = state.answers[question.id];
      answers[question.id] = given ? {choice: given.choice, at: given.at} : {choice: null, at: null};
    });
    var document_ = {
      format: 'flashcards-answers/2',
      quiz: paper.quiz.id,
      paper: paper.paper,
      learner: paper.learner.id,
      name: paper.learner.name,
      client: 'browser',
      started_at: state.started_at,
      finished_at: isoTime(Date.now()),
      answers: answers
    };
    document_.signature = signature(document_, paper.token);
    state.finished = {answers: document_, timedOut: Boolean(timedOut)};
    state.stage = 'finished';
    save();
    render(true);
    announce(timedOut ? 'Time is up. Your answers are signed.' : 'Your answers are signed.');
  }

  function fileName() {
    var safe = function (text) {
      return String(text).replace(/[^A-Za-z0-9._-]+/g, '-');
    };
    return safe(paper.quiz.id) + '--' + safe(paper.learner.id) + '.answers.json';
  }

  function download() {
    var text = JSON.stringify(state.finished.answers, null, 2) + '\n';
    var url = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
    var link = document.createElement('a');
    link.href = url;
    link.download = fileName();
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  function copyBlock() {
    var area = $('answers-block');
    var done = function () {
      announce('The block is copied. Paste it into your e-mail.');
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, function () {
        area.select();
        announce('Select all of the block and copy it.');
      });
      return;
    }
    area.focus();
    area.select();
    try {
      if (document.execCommand('copy')) {
        done();
        return;
      }
    } catch (error) {
      // fall through
    }
    announce('The block is selected: copy it with your keyboard or menu.');
  }

  $('start').addEventListener('click', function () {
    var now = Date.now();
    state.stage = 'question';
    state.startedMs = now;
    state.started_at = isoTime(now);
    state.current = 0;
    save();
    render(true);
  });

  $('question-options').addEventListener('change', function (event) {
    if (event.target.name !== 'choice') {
      return;
    }
    if (timeIsUp()) {
      finish(true);
      return;
    }
    var question = questions[state.current];
    state.answers[question.id] = {choice: event.target.value, at: isoTime(Date.now())};
    save();
    renderProgress();
  });

  $('question-form').addEventListener('submit', function (event) {
    event.preventDefault();
    if (state.current < questions.length - 1) {
      goToQuestion(state.current + 1);
    } else {
      goToReview();
    }
  });
  $('previous').addEventListener('click', function () {
    goToQuestion(Math.max(0, state.current - 1));
  });
  $('to-review').addEventListener('click', goToReview);
  $('back-to-questions').addEventListener('click', function () {
    goToQuestion(state.current);
  });
  $('finish').addEventListener('click', function () {
    finish(Boolean(timeIsUp()));
  });
  $('download').addEventListener('click', download);
  $('copy').addEventListener('click', copyBlock);

  // The same file open in two tabs: follow the other tab's answers instead of overwriting them.
  window.addEventListener('storage', function (event) {
    if (event.key === STORE_KEY) {
      state = loadState();
      render(false);
    }
  });

  document.title = paper.quiz.title + ' \u00b7 ' + paper.learner.name;
  if (state.stage !== 'finished' && timeIsUp()) {
    finish(true);
  } else {
    render(false);
  }
  setInterval(tick, 1000);
})();
