"""Drive a certdoctor conversation through `certdoctor mcp`, as an assistant would; needs only the `mcp` package.

Usage: python mcp_client.py CASE.json, a case with its certificates inline (`certdoctor inline case.yaml > case.json`).
The `certdoctor` command must be on PATH; certdoctor itself need not be importable here.
"""

import asyncio
import json
import sys

from mcp import Client, StdioServerParameters

#: What this example's user would click (a real bot shows the choices as buttons and waits).
USER_CHOICES = {"problem": "zone-down", "zone_status": "Failed", "recent_changes": "certificate-renewal"}


def ask_user(question: dict) -> str:
    """Put certdoctor's question to the user; return the `const` of the choice they make."""
    print("certdoctor asks:", question["title"], [choice["const"] for choice in question["oneOf"]])
    return USER_CHOICES.get(question["id"], question["oneOf"][-1]["const"])


async def converse(client: Client, arguments: dict) -> dict:
    """One conversation turn; a refused input ends the example with certdoctor's one-line reason."""
    result = await client.call_tool("converse", arguments)
    if result.is_error:
        raise SystemExit(result.content[0].text)
    return result.structured_content


async def main(case_path: str) -> None:
    with open(case_path, encoding="utf-8") as file:
        case = json.load(file)
    # No environment is passed: over stdio the server seals conversation state with a key of its own
    # process (set CERTDOCTOR_STATE_KEY only for `certdoctor mcp --http` or `certdoctor serve`).
    server = StdioServerParameters(command="certdoctor", args=["mcp"])
    async with Client(server) as client:
        print("tools:", ", ".join(sorted(tool.name for tool in (await client.list_tools()).tools)))
        # turn 1: what the user pasted, and what is known of the deployment (certificates inline)
        turn = await converse(client, {"input": {"case": case, "text": "TLS negotiation failure"}})
        # turn 2: the user answers the question certdoctor asks; the bot sends the chosen const. There is
        # none when the files already make one cause stand clear: nothing left would change the ranking.
        if turn["question"] is None:
            print("certdoctor asks nothing more: the leading cause stands clear")
        else:
            answer = {"answers": {turn["question"]["id"]: ask_user(turn["question"])}}
            turn = await converse(client, {"session": turn["session"], "input": answer})
        for diagnosis in turn["answer"]["diagnoses"][:3]:
            print(f"{diagnosis['confidence']:.2f} {diagnosis['cause']}: {diagnosis['title']}")
            for why in diagnosis["evidence"]:
                print("   why:", why)
        print("first step:", turn["answer"]["diagnoses"][0]["steps"][0])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python mcp_client.py CASE.json")
    asyncio.run(main(sys.argv[1]))
