"""Drive a certdoctor conversation over `certdoctor serve`'s HTTP API, carrying the sealed state between turns.

Usage: python http_client.py URL CASE.json, with `certdoctor serve` answering at URL and a case with its
certificates inline (`certdoctor inline case.yaml > case.json`). Needs only the `httpx` package.
"""

import json
import sys

import httpx

#: What this example's user would click (a real bot shows the choices as buttons and waits).
USER_CHOICES = {"problem": "zone-down", "zone_status": "Failed", "recent_changes": "certificate-renewal"}


def converse(client: httpx.Client, state: str | None, turn_input: dict) -> dict:
    """One conversation turn in token mode; a refused input ends with the problem's status, title and detail."""
    body = {"input": turn_input} if state is None else {"state": state, "input": turn_input}
    try:
        response = client.post("/v1/conversation", json=body)
    except httpx.TransportError as error:
        raise SystemExit(f"cannot reach certdoctor at {client.base_url}: {error}") from None
    if response.is_error:  # RFC 9457 problem details: which field and why, never what was sent
        problem = response.json()
        raise SystemExit(f"{problem['status']} {problem['title']}: {problem['detail']}")
    return response.json()


def main(base_url: str, case_path: str) -> None:
    with open(case_path, encoding="utf-8") as file:
        case = json.load(file)
    with httpx.Client(base_url=base_url, timeout=60) as client:
        # turn 1: what the user pasted, and what is known of the deployment (certificates inline)
        turn = converse(client, None, {"case": case, "text": "Peer's TLS certificate identity was unacceptable"})
        # turn 2: the answer to certdoctor's question, with the state of the previous reply; there is none
        # when the files already make one cause stand clear
        question = turn["question"]
        if question is None:
            print("certdoctor asks nothing more: the leading cause stands clear")
        else:
            print("certdoctor asks:", question["title"])
            choice = USER_CHOICES.get(question["id"], question["oneOf"][-1]["const"])
            turn = converse(client, turn["state"], {"answers": {question["id"]: choice}})
        top = turn["answer"]["diagnoses"][0]
        print(f"after {turn['turns']} turns: {top['cause']} ({top['confidence']:.2f}): {top['title']}")
        for why in top["evidence"]:
            print("why:", why)
        print("state token:", len(turn["state"]), "characters")
        # a private key is refused, never stored or echoed
        try:
            converse(client, turn["state"], {"text": "-----BEGIN PRIVATE KEY-----"})
        except SystemExit as refused:
            print(refused)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python http_client.py URL CASE.json")
    main(sys.argv[1], sys.argv[2])
