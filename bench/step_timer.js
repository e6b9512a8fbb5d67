// The browser benchmark's step timer (bench/bench_browser.py), installed in every page before Streamlit loads.
//
// One step: the benchmark arms the timer, makes one input (a key press on a slider, a click on a link or a
// button), and asks `settle()` for the record. The clock starts at the input event's own time stamp (keydown or
// click) and stops when
//   1. Streamlit's frontend has shown that the rerun this input caused has started: `stApp`'s
//      `data-test-script-state` changed to a running state (running, rerunRequested, stopRequested) after the input,
//   2. and then back to `notRunning`, after the server's `script_finished` message for that run has arrived on the
//      WebSocket (read here from the protobuf frames),
//   3. nothing is "not drawn" (a skeleton, the first run's signal) or still marked stale, and every Plotly chart
//      has drawn its SVG,
//   4. and two animation frames have passed since (the browser has painted that state), with the app still idle.
// Waiting for (1) is what keeps a step from ending before its rerun has begun: a widget's change reaches the
// server only after the frontend has sent it, and until the server's status arrives the attribute still says
// `notRunning` from the run before.
//
// On a loaded machine React sometimes renders a short run's start and end in one go, so the running state never
// reaches the DOM; such a step ends at the paint after the page has handled the server's last status message of
// the run, and is marked `batched` (the benchmark counts them).
//
// Timestamps are `performance.now()` milliseconds of the page. The record also keeps when the rerun request left
// the page (WebSocket send of a BackMsg `rerun_script`) and when the server's "script is running" status and
// `script_finished` arrived, so a step can be split into: input -> sent -> running shown -> run ended shown ->
// painted.
(() => {
  if (window.__stepTimer) return;
  const now = () => performance.now();
  const RUNNING = new Set(['running', 'rerunRequested', 'stopRequested']);
  const FORWARD = {SCRIPT_FINISHED: 6, SESSION_STATUS: 9};  // ForwardMsg field numbers (streamlit/proto)
  const BACK_RERUN_SCRIPT = 11;  // BackMsg.rerun_script
  const SESSION_STATUS_SCRIPT_IS_RUNNING = 2;
  const FINISHED_EARLY_FOR_RERUN = 2;
  const BATCHED_GRACE_MS = 1000;

  // The top-level fields of a protobuf message: [[number, value], ...]; value is a number (varint) or bytes.
  function fields(bytes) {
    const out = [];
    let i = 0;
    const varint = () => {
      let result = 0, scale = 1, byte;
      do { byte = bytes[i++]; result += (byte & 127) * scale; scale *= 128; } while (byte & 128 && i < bytes.length);
      return result;
    };
    while (i < bytes.length) {
      const key = varint(), number = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) out.push([number, varint()]);
      else if (wire === 2) { const length = varint(); out.push([number, bytes.subarray(i, i + length)]); i += length; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;  // groups are not used by Streamlit's protocol
    }
    return out;
  }
  const asBytes = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;

  const timer = window.__stepTimer = {
    step: null,
    wake: null,
    finishedRuns: 0,  // every script_finished the page received, for tests

    arm(kind, input = null) {
      this.step = {kind, input, inputType: input === null ? null : 'given', events: []};
    },
    note(type, time = now(), detail = null) {
      const step = this.step;
      if (step && step.input !== null) step.events.push([time, type, detail]);
      if (this.wake) this.wake();
    },
    onInput(event) {
      const step = this.step;
      if (step && step.input === null) { step.input = event.timeStamp; step.inputType = event.type; }
      if (this.wake) this.wake();
    },
    state() {
      const app = document.querySelector('[data-testid="stApp"]');
      return app ? app.getAttribute('data-test-script-state') : null;
    },
    drawn() {
      // what the browser tests call not drawn (tests/browser_support.py NOT_DRAWN, set by bench_browser.py: a
      // placeholder for an element's script, the first run's "painted" signal), or an element of the run before
      if (document.querySelector(window.__notDrawn + ', [data-stale="true"]')) return false;
      return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
        .every((chart) => chart.querySelector('.main-svg'));
    },
    // Resolves with the armed step's record once its rerun has ended and the page has painted (see the top).
    async settle(timeoutMs) {
      const step = this.step;
      const deadline = now() + timeoutMs;
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
      const afterPostedTasks = () => new Promise((resolve) => setTimeout(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve();
        channel.port2.postMessage(null);
      }, 0));
      const changed = (ms) => new Promise((resolve) => {
        const timeout = setTimeout(resolve, ms);
        this.wake = () => { clearTimeout(timeout); this.wake = null; resolve(); };
      });
      const last = (type, after = -Infinity) => {
        const hits = step.events.filter(([time, kind]) => kind === type && time >= after);
        return hits.length ? hits[hits.length - 1][0] : null;
      };
      const first = (type, after = -Infinity) => {
        const hit = step.events.find(([time, kind]) => kind === type && time >= after);
        return hit ? hit[0] : null;
      };
      let candidate = null;  // a batched run's end, confirmed when no running state shows within the grace time
      for (;;) {
        if (now() > deadline) {
          throw new Error(`no settled rerun within ${timeoutMs} ms; state ${this.state()}; step `
                          + JSON.stringify(step));
        }
        if (step.input === null) { await changed(50); continue; }
        const domRunning = first('running', step.input);
        const wsFinished = last('finished', step.input);
        const idleShown = last('notRunning', domRunning ?? step.input);
        const ended = wsFinished !== null && this.state() === 'notRunning' && (last('wsRunning') ?? 0) <= wsFinished;
        if (ended && domRunning !== null && idleShown !== null && idleShown >= wsFinished
            && last('running') < idleShown) {
          // the normal path: the running state was shown and then the idle state, after the run's end arrived
          if (!this.drawn()) { await changed(20); continue; }
          await frame();
          await frame();
          const painted = now();
          if (this.state() !== 'notRunning' || last('sent', idleShown) !== null || !this.drawn()) continue;
          return this.record(step, {domRunning, idleShown, wsFinished, painted, batched: false});
        }
        // the step's last run started after the last running state the page showed: that run never reached the DOM
        // (also when an earlier run of the step did, e.g. a callback's st.rerun(<fragment key>) preempting the
        // widget's own fragment run: two runs, the second one batched)
        const lastRunStart = last('wsRunning', step.input);
        const lastRunUnshown = domRunning === null || (lastRunStart !== null && last('running') < lastRunStart);
        if (ended && lastRunUnshown && last('wsIdle', wsFinished) !== null) {
          // Under load React may render a short run's start and end in one go, so `running` never reaches the
          // DOM. Then the end is the paint after the page has handled the server's last status: Streamlit handles
          // a message in the task that received it and React renders it in a task it posts then, so a task
          // posted after that one runs after the render. Taken only after a grace time without a running state.
          if (candidate === null) {
            await afterPostedTasks();
            if (!this.drawn()) { await changed(20); continue; }
            await frame();
            await frame();
            candidate = {wsFinished, painted: now()};
          }
          if (now() - candidate.wsFinished < BATCHED_GRACE_MS) { await changed(50); continue; }
          if (first('running', domRunning === null ? step.input : lastRunStart) === null) {
            return this.record(step, {domRunning: null, idleShown: null, wsFinished: candidate.wsFinished,
                                      painted: candidate.painted, batched: true});
          }
        }
        await changed(500);
      }
    },
    record(step, marks) {
      const events = step.events;
      const pick = (type) => { const hit = events.find(([, kind]) => kind === type); return hit ? hit[0] : null; };
      return {
        kind: step.kind, inputType: step.inputType, input: step.input, sent: pick('sent'),
        wsRunning: pick('wsRunning'), ...marks,
        runs: events.filter(([, kind]) => kind === 'finished').length,
        finishedStatus: events.filter(([, kind]) => kind === 'finished').map(([, , status]) => status),
        earlyForRerun: events.some(([, kind, status]) => kind === 'finished' && status === FINISHED_EARLY_FOR_RERUN),
      };
    },
  };

  for (const type of ['keydown', 'click']) document.addEventListener(type, (event) => timer.onInput(event), true);

  new MutationObserver((records) => {
    const time = now();
    for (const record of records) {
      const state = record.target.getAttribute('data-test-script-state');
      timer.note(RUNNING.has(state) ? 'running' : state, time, state);
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});

  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const bytes = asBytes(event.data);
        if (!bytes) return;
        const time = now();
        for (const [number, value] of fields(bytes)) {
          if (number === FORWARD.SCRIPT_FINISHED) {
            timer.finishedRuns += 1;
            timer.note('finished', time, value);
          } else if (number === FORWARD.SESSION_STATUS) {
            const running = fields(value).some(([field, flag]) => field === SESSION_STATUS_SCRIPT_IS_RUNNING && flag);
            timer.note(running ? 'wsRunning' : 'wsIdle', time);
          }
        }
      });
    }
    send(data) {
      const bytes = asBytes(data);
      if (bytes && fields(bytes).some(([number]) => number === BACK_RERUN_SCRIPT)) timer.note('sent');
      return super.send(data);
    }
  };

  // The first view's paint of the KPI cards, from the page's own clock: the second animation frame after the first
  // KPI card (`stMetric`) with a size is in the page. Playwright's own visibility check polls from the page's main
  // thread, so when that thread is busy right after the cards were drawn (Plotly's 4.7 MB script is evaluated when
  // the first chart arrives, about 0.8 s of one core), Playwright sees the cards only after it.
  timer.cardsPainted = null;
  const cards = new MutationObserver(() => {
    const card = document.querySelector('[data-testid="stMetric"]');
    if (!card || !card.getBoundingClientRect().height) return;
    cards.disconnect();
    requestAnimationFrame(() => requestAnimationFrame(() => { timer.cardsPainted = now(); }));
  });
  cards.observe(document, {subtree: true, childList: true});
})();
