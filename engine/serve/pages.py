"""The HTML of the live pages: a team's, the facilitator's and the situation room's.

Every page polls ``/version/TOKEN`` and reloads when the game has moved (unless someone
is filling in its form), so a laptop that was closed shows the game where it is. Text from the game
(inject notes, names) is escaped.
"""

from __future__ import annotations

from html import escape

from wargame.crisis.world import OUTCOMES
from wargame.play.exercise import TOPIC, _help
from wargame.serve import diagrams

STYLE = ("body{font-family:sans-serif;max-width:980px;margin:1em auto;padding:0 1em}table{border-collapse:collapse}"
         "td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}.msg{background:#fee;padding:6px}"
         ".ok{background:#efe;padding:6px}.paused{background:#ffd;padding:6px;font-weight:bold}"
         "fieldset{margin:8px 0}")


def page(title: str, body: str, token: str, version: int) -> str:
    # A page someone is filling in (an option ticked, an inject half typed) is not reloaded under them.
    poll = ("<script>let touched=false;document.addEventListener('input',()=>touched=true);"
            f"setInterval(async()=>{{try{{const r=await fetch('/version/{token}');"
            f"if(!touched&&(await r.text())!=='{version}')location.reload()}}catch(e){{}}}},2000)</script>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}{poll}</body></html>")


def header(s, sit: dict, who: str) -> str:
    g = s.g
    war = f", day {sit['war_day']:.0f} of the war" if sit["war_day"] is not None else ", no war yet"
    out = [f"<h1>{escape(g.w.sc.scenario.title or g.w.sc.scenario.name)}: {escape(who)}</h1>",
           f"<p id='day'>Day {sit['day']:.0f} of the crisis{war}.</p>"]
    if s.over:
        out.append(f"<h2 id='end'>END: {escape(sit['outcome_text'])} on day {sit['end_day']:.0f}</h2>")
    if s.paused:
        out.append("<p class='paused' id='paused'>The facilitator has paused the game.</p>")
    left = s.seconds_left()
    if left is not None and not s.over:
        out.append(f"<p id='timer'>Time left this turn: {int(left) // 60}:{int(left) % 60:02d}</p>")
    return "".join(out)


def situation_html(sit: dict, viewer: str | None) -> str:
    out = [diagrams.fronts(sit)]
    rows = "".join(
        f"<tr><td>{escape(st['id'])}</td><td>{st['role']}</td>"
        f"<td>{ {1: 'attacker side', -1: 'defender side', 0: 'not at war'}[st['side']]}</td>"
        f"<td>{diagrams._k(st['home'])}</td><td>{diagrams._k(st['at_front'])}</td><td>{diagrams._k(st['losses'])}</td>"
        f"<td>{'yes' if st['mobilising'] else ''}</td>"
        f"<td>{'exact' if st['exact'] else 'as your intelligence sees it'}</td></tr>" for st in sit["states"])
    out.append("<h2>States</h2><table id='states'><tr><th>state</th><th>role</th><th>in the war</th>"
               "<th>ground at home</th><th>ground at the fronts</th><th>losses</th><th>mobilising</th>"
               f"<th>figures</th></tr>{rows}</table>")
    if viewer is not None:
        out.append("<p><small>Your own forces are exact; the others' are as your state perceives them "
                   "(its perception error, docs/model.md).</small></p>")
    out.append("<h2>Timeline</h2>" + diagrams.timeline(sit))
    last = sit["events"][-10:]
    out.append("<ul id='events'>" + "".join(f"<li>day {e['day']:.0f}: {escape(e['kind'])} {escape(e['text'])}</li>"
                                           for e in last) + "</ul>")
    return "".join(out)


def lookahead_html(state: str, la: dict) -> str:
    shown = [o for o in OUTCOMES if any(v[o][0] > 0 for v in la.values())]
    head = "".join(f"<th>{o}</th>" for o in shown)
    rows = "".join(f"<tr><td>{escape(opt)}</td>" + "".join(
        f"<td>{100 * v[o][0]:.1f}% ±{50 * (v[o][2] - v[o][1]):.1f}</td>" for o in shown) + "</tr>"
        for opt, v in la.items())
    return (f"<h3>Look-ahead for {escape(state)} (95% intervals)</h3>"
            f"<table class='lookahead'><tr><th>option</th>{head}</tr>{rows}</table>")


def team(s, state: str, sit: dict, message: str = "") -> str:
    tok = s.tokens[state]
    out = [header(s, sit, f"team {state}")]
    if message:
        out.append(f"<p class='msg' id='message'>{escape(message)}</p>")
    qs = s.questions(state)
    if qs and state not in s.held and not s.over:
        form = [f"<form method='post' action='/team/{tok}/decide' id='decide'>"
                f"<input type='hidden' name='state' value='{escape(state)}'>"]
        for i, q in enumerate(qs):
            opts = "".join(f"<label><input type='radio' name='q{i}' value='{o}'{' checked' if j == 0 else ''}> "
                           f"<b>{o}</b>: {escape(_help(o))}</label><br>" for j, o in enumerate(q.options))
            form.append(f"<fieldset><legend>{escape(TOPIC[q.topic])}</legend>{opts}</fieldset>")
        form.append("<button type='submit' id='submit'>Decide</button></form>")
        out.append("".join(form))
    elif state in s.held:
        out.append(f"<p class='ok' id='waiting'>Your decision is in; waiting for {', '.join(s.waiting_for())}.</p>")
    elif not s.over:
        out.append("<p id='waiting'>Nothing for your team to decide this turn.</p>")
    if state in s.lookaheads:
        out.append(lookahead_html(state, s.lookaheads[state]))
    out.append(situation_html(sit, state))
    return page(f"{state}", "".join(out), tok, s.version)


def facilitator(s, sit: dict, message: str = "") -> str:
    tok = s.facilitator
    out = [header(s, sit, "facilitator")]
    if message:
        out.append(f"<p class='msg' id='message'>{escape(message)}</p>")
    waiting = s.waiting_for()
    out.append(f"<p id='status'>Waiting for: {', '.join(waiting) or 'nobody'}.</p>" if not s.over else "")
    out.append(f"<p><a id='room' href='/room/{s.room}' target='_blank'>Situation room (for the projector)</a></p>")
    if s.over:
        out.append(f"<form method='post' action='/facilitator/{tok}/report'><button id='report'>After-action "
                   f"report: the class's game among {s.compare_runs} engine games</button></form>")
    else:
        out.append(f"<form method='post' action='/facilitator/{tok}/{'resume' if s.paused else 'pause'}'>"
                   f"<button id='pause'>{'Resume' if s.paused else 'Pause'}</button></form>")
        out.append(f"<form method='post' action='/facilitator/{tok}/inject' id='inject'>Inject "
                   "<input name='text' size='50' placeholder='fronts.landing.lift_per_day *0.5 for 30 days : storm'>"
                   " on day <input name='day' size='4' placeholder='now'> <button>Inject</button></form>"
                   "<p><small>TARGET *FACTOR|=VALUE [for N days] [: TEXT]; ': TEXT' alone is news. "
                   "Injects apply at the start of a turn; one typed after a team has answered waits for the "
                   "next turn.</small></p>")
        for st in dict.fromkeys(q.state for q in s.g.pending):
            out.append(f"<form method='post' action='/facilitator/{tok}/look' style='display:inline'>"
                       f"<input type='hidden' name='state' value='{escape(st)}'>"
                       f"<button id='look-{escape(st)}'>Look-ahead for {escape(st)}</button></form> ")
        for st, la in s.lookaheads.items():
            out.append(lookahead_html(st, la))
    if s.scheduled:
        out.append("<p>Scheduled injects: " + "; ".join(
            f"day {float(d['day']):.0f}: {escape(d['inject']['text'])}" for d in s.scheduled) + "</p>")
    out.append("<ul id='notes'>" + "".join(f"<li>{escape(n)}</li>" for n in s.notes[-8:]) + "</ul>")
    out.append(situation_html(sit, None))
    return page("facilitator", "".join(out), tok, s.version)


def room(s, sit: dict) -> str:
    return page("situation room", header(s, sit, "situation room") + situation_html(sit, None), s.room, s.version)

