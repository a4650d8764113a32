#!/usr/bin/env python3
"""Creates, reads, lists, updates and deletes a record of the sample's custom table `sb_project`
through Microsoft's PowerPlatform-Dataverse-Client (PyPI 1.1.0) -- a real Dataverse client nobody
on this project wrote -- against a Switchboard server over HTTPS with a static bearer token.

Usage: REQUESTS_CA_BUNDLE=cert.pem python dataverse_sdk_crud.py https://127.0.0.1:PORT TOKEN
Exits 0 when every step behaved as Dataverse would; prints one line per step.
"""
import sys
import time

from azure.core.credentials import AccessToken
from PowerPlatform.Dataverse.client import DataverseClient


class StaticTokenCredential:
    """An azure-core TokenCredential (a runtime-checkable protocol) with a fixed token."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, claims=None, tenant_id=None, enable_cae=False, **kwargs):
        return AccessToken(self.token, int(time.time()) + 3600)


def main():
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    client = DataverseClient(base, StaticTokenCredential(token))
    table = "sb_project"
    with client:
        new_id = client.records.create(table, {"sb_name": "From Python", "sb_priority": 4, "sb_notes": "é ✓"})
        print("created", new_id)
        assert len(str(new_id)) == 36, new_id

        record = dict(client.records.retrieve(table, new_id, select=["sb_name", "sb_priority", "sb_notes"]))
        print("retrieved", record)
        assert record["sb_name"] == "From Python", record
        assert record["sb_priority"] == 4, record
        assert record["sb_notes"] == "é ✓", record

        for i in range(3):
            client.records.create(table, {"sb_name": f"Py {i}", "sb_priority": i})
        listed = [dict(r) for r in client.records.list(
            table, filter="sb_priority ge 1 and startswith(sb_name,'Py')", select=["sb_name"], orderby=["sb_name desc"])]
        print("listed", listed)
        assert [r["sb_name"] for r in listed] == ["Py 2", "Py 1"], listed

        client.records.update(table, new_id, {"sb_name": "Renamed", "sb_priority": 9})
        record = dict(client.records.retrieve(table, new_id, select=["sb_name", "sb_priority"]))
        print("updated", record)
        assert record["sb_name"] == "Renamed" and record["sb_priority"] == 9, record

        info = client.tables.get(table)
        print("table", info)

        client.records.delete(table, new_id)
        # retrieve answers None for a record that does not exist (the server's 404).
        assert client.records.retrieve(table, new_id) is None, "the deleted record is still there"
        print("deleted", new_id)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
