// The time of each speed run, in Japan time, on the survey form. A run typed by hand used to be
// stamped with the moment the survey was saved; the form hint asks for runs around 10:00, 13:00
// and 16:00, so each run now shows its time (taken as "now" when its first figure is typed) and
// the surveyor can correct it. The visible <input type=time> has no name: it writes the run's
// hidden measured_at (ISO 8601 with +09:00, on the survey date), which the server validates.

const TOKYO = "Asia/Tokyo";

function tokyoDay(date) {
  return date.toLocaleDateString("sv-SE", { timeZone: TOKYO }); // 2026-11-20
}

function tokyoTime(date) {
  return date.toLocaleTimeString("en-GB", { timeZone: TOKYO, hour: "2-digit", minute: "2-digit" });
}

export function setUpRunTimes(form) {
  const inputs = Array.from(form.querySelectorAll("input.run-time[data-run-prefix]"));
  if (!inputs.length) return;
  const named = (name) => form.elements.namedItem(name);
  const hidden = (input) => named(`${input.dataset.runPrefix}measured_at`);
  const measured = (input) =>
    ["download_mbps", "upload_mbps", "latency_ms", "jitter_ms", "loss_pct"].some(
      (k) => (named(`${input.dataset.runPrefix}${k}`)?.value || "").trim() !== "",
    );

  // a run is a measuring tool's when the tool filled its hidden fields (speedtest_panel.js,
  // speedtest-cli); figures typed from any app, whatever method is chosen, are typed by hand
  const byHand = (input) => !(named(`${input.dataset.runPrefix}tool_version`)?.value || "");

  /** The hidden time, shown in Japan time (a tool or a restored draft may have set it); a time
   *  a measuring tool recorded is not edited by hand. */
  function show(input) {
    input.readOnly = !byHand(input);
    if (document.activeElement === input) return;
    const value = hidden(input)?.value || "";
    const moment = value ? new Date(value) : null;
    input.value = moment && !Number.isNaN(moment.getTime()) ? tokyoTime(moment) : "";
  }

  /** The typed time, on the survey date (today if none yet), into the hidden field. */
  function store(input) {
    const target = hidden(input);
    if (!target) return;
    if (!/^\d{2}:\d{2}$/.test(input.value)) {
      target.value = "";
      return;
    }
    const day = named("surveyed_on")?.value || tokyoDay(new Date());
    target.value = `${day}T${input.value}:00+09:00`;
  }

  for (const input of inputs) {
    show(input);
    input.addEventListener("change", () => store(input));
    input.addEventListener("input", () => store(input));
  }

  form.addEventListener("input", (event) => {
    const target = event.target;
    if (!target || !target.name) return;
    for (const input of inputs) {
      const fresh = !input.value && !hidden(input)?.value;
      if (target.name.startsWith(input.dataset.runPrefix) && fresh && measured(input)) {
        input.value = tokyoTime(new Date()); // the first figure of a run typed: its time is now
        store(input);
      }
      show(input);
    }
  });

  named("surveyed_on")?.addEventListener("change", () => {
    for (const input of inputs) if (input.value && byHand(input)) store(input); // runs move with the day
  });
}
