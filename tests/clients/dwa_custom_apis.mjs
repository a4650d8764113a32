#!/usr/bin/env node
// Calls the sample solution's custom APIs through the dynamics-web-api client (npm), a real
// Dataverse client nobody on this project wrote, and checks what comes back.
// Usage: DWA_MODULE=<path to dynamics-web-api> node dwa_custom_apis.mjs BASE_URL TOKEN
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const [base, token] = process.argv.slice(2);
const require = createRequire(process.env.DWA_MODULE ? process.env.DWA_MODULE + "/" : import.meta.url);
const { DynamicsWebApi } = require(process.env.DWA_MODULE || "dynamics-web-api");
const api = new DynamicsWebApi({ serverUrl: base, dataApi: { version: "9.2" }, onTokenRefresh: async () => token });

const ACCOUNT = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
const USER = "11111111-2222-3333-4444-555555555555";
const steps = [
  ["callFunction WhoAmI", async () => {
    const r = await api.callFunction({ name: "WhoAmI" });
    assert.match(r.UserId, /^[0-9a-f-]{36}$/);
  }],
  ["callFunction sb_Greet (unbound, parameters as aliases)", async () => {
    const r = await api.callFunction({ name: "sb_Greet", parameters: { Name: "Ada Lovelace", Formal: true } });
    assert.equal(r.Greeting, null);
  }],
  ["callAction sb_Echo (unbound, body)", async () => {
    const r = await api.callAction({ actionName: "sb_Echo", action: {
      StringParameter: "hi", IntegerParameter: 3, BooleanParameter: true, StringArrayParameter: ["a", "b"],
      EntityReferenceParameter: { "@odata.type": "Microsoft.Dynamics.CRM.account", accountid: ACCOUNT },
    } });
    assert.equal(r.IntegerProperty, 0);
    assert.equal(r.GuidProperty, "00000000-0000-0000-0000-000000000000");
    assert.equal(r.StringProperty, null);
  }],
  ["callAction sb_TransferOwnership (bound to accounts(key))", async () => {
    const r = await api.callAction({ collection: "accounts", key: ACCOUNT, actionName: "Microsoft.Dynamics.CRM.sb_TransferOwnership",
      action: { NewOwner: { "@odata.type": "Microsoft.Dynamics.CRM.systemuser", systemuserid: USER } } });
    assert.equal(r.Succeeded, false);
  }],
  ["callFunction sb_AccountSummary (bound to accounts(key))", async () => {
    const r = await api.callFunction({ collection: "accounts", key: ACCOUNT, name: "Microsoft.Dynamics.CRM.sb_AccountSummary" });
    assert.equal(r.ContactCount, 0);
  }],
  ["callAction sb_ExportContacts (bound to contacts)", async () => {
    const r = await api.callAction({ collection: "contacts", actionName: "Microsoft.Dynamics.CRM.sb_ExportContacts", action: { MaxCount: 5 } });
    assert.deepEqual(r.value, []);
  }],
  ["callAction sb_LogActivity (no response)", async () => {
    const r = await api.callAction({ actionName: "sb_LogActivity", action: { Subject: "Call" } });
    assert.ok(r === null || r === undefined || (typeof r === "object" && Object.keys(r).length === 0), JSON.stringify(r));
  }],
];
let bad = 0;
for (const [name, run] of steps) {
  try { await run(); console.log(`ok   ${name}`); }
  catch (e) { bad++; console.log(`FAIL ${name}: ${(e && (e.message || JSON.stringify(e))) || e}`.slice(0, 600)); }
}
console.log(`${steps.length - bad}/${steps.length} steps ok`);
process.exit(bad ? 1 : 0);
