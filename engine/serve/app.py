"""The web application (Starlette): routes, tokens and HTTP status codes.

Every route carries a token in its path. A token that is not this game's, or a team's
form naming another state, gets 403 and one line; a request the game cannot take (a
bad inject, an option that is not one) gets the page again with the message, status
400. Game work runs in Starlette's thread pool under the session's lock, never on the
event loop, so the server keeps taking requests while a look-ahead runs.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

from wargame.serve import pages, views
from wargame.serve.session import Forbidden, Refused, Session


def build(s: Session, report_path: str) -> Starlette:
    def role(token: str, want: str | None = None) -> str:
        r = s.role(token)
        if want is not None and r != want:
            raise Forbidden("this link does not open that page")
        return r

    def team_page(request: Request, message: str = "", status: int = 200):
        state = role(request.path_params["token"])
        if state.startswith("*"):
            raise Forbidden("this link does not open a team's page")
        with s.lock:
            return HTMLResponse(pages.team(s, state, views.situation(s.g, state), message), status)

    def team(request: Request):  # plain functions: Starlette runs them in its thread pool
        return team_page(request)

    async def decide(request: Request):
        state = role(request.path_params["token"])
        if state.startswith("*"):
            raise Forbidden("this link does not open a team's page")
        form = await request.form()
        if form.get("state", state) != state:
            raise Forbidden(f"team {state} cannot decide for {form.get('state')}")
        try:
            await run_in_threadpool(s.answer, state, [str(form.get(f"q{i}", "")) for i in range(len(s.questions(state)))])
        except Refused as e:
            return await run_in_threadpool(team_page, request, str(e), 400)
        return RedirectResponse(request.url_for("team", token=request.path_params["token"]), 303)

    def facilitator_page(request: Request, message: str = "", status: int = 200):
        role(request.path_params["token"], "*facilitator")
        with s.lock:
            return HTMLResponse(pages.facilitator(s, views.situation(s.g), message), status)

    def facilitator(request: Request):
        return facilitator_page(request)

    async def act(request: Request):
        role(request.path_params["token"], "*facilitator")
        what, form = request.path_params["what"], await request.form()
        try:
            if what == "inject":
                await run_in_threadpool(s.inject, str(form.get("text", "")), str(form.get("day", "")))
            elif what in ("pause", "resume"):
                await run_in_threadpool(s.set_paused, what == "pause")
            elif what == "look":
                await run_in_threadpool(s.lookahead, str(form.get("state", "")))
            elif what == "report":
                return HTMLResponse(await run_in_threadpool(s.report, report_path))
            else:
                return PlainTextResponse(f"no such action: {what}", 404)
        except Refused as e:
            return await run_in_threadpool(facilitator_page, request, str(e), 400)
        return RedirectResponse(request.url_for("facilitator", token=request.path_params["token"]), 303)

    def room(request: Request):
        role(request.path_params["token"], "*room")
        with s.lock:
            return HTMLResponse(pages.room(s, views.situation(s.g)))

    def version(request: Request):
        role(request.path_params["token"])
        s.seconds_left()  # the timer moves the game on when it runs out
        return PlainTextResponse(str(s.version))

    async def forbidden(request: Request, exc: Forbidden):
        return PlainTextResponse(f"403 forbidden: {exc}", 403)

    routes = [Route("/team/{token}", team, name="team"), Route("/team/{token}/decide", decide, methods=["POST"]),
              Route("/facilitator/{token}", facilitator, name="facilitator"),
              Route("/facilitator/{token}/{what}", act, methods=["POST"]),
              Route("/room/{token}", room), Route("/version/{token}", version)]
    return Starlette(routes=routes, exception_handlers={Forbidden: forbidden})
