// compass-cdr: call records and event logs from the platform's reports host (files.D): company,
// user or queue CDR for a day or a range of days (one request per day, progress in the status),
// call events or user events for a time range. One message with all rows, or one per row.

import { randomUUID } from "node:crypto";
import { isReportKind, ReportError, type ReportProgress, resolveRange } from "../compass/reports";
import { asError, cut } from "../compass/text";
import { STATUS_REASON_LENGTH } from "./action";
import { connectionOf, refuseInput } from "./connection-of";
import { NODE_DEFAULTS, withDefaults } from "./defaults";
import { sharedText, translator } from "./i18n";
import { type InputTable, readInputs } from "./inputs";
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from "./red";

/** Which input wins: the node's typed inputs (each may point into the message); msg.topic with
 * "set by msg.topic" (the topic the node's own output carries). */
const INPUTS = {
  report: { from: "choice", property: "report", msg: "topic", fallback: NODE_DEFAULTS["compass-cdr"].report },
  from: { from: "typed", property: "from" },
  to: { from: "typed", property: "to" },
} satisfies InputTable;

export = function register(RED: NodeAPI): void {
  function CompassCdr(this: Node, saved: NodeDef): void {
    const def = withDefaults("compass-cdr", saved);
    RED.nodes.createNode(this, def);
    const t = translator(RED, "compass-cdr");
    const { connection, reason } = connectionOf(RED, this, def);
    if (!connection) {
      refuseInput(this, reason);
      return;
    }

    this.on("input", (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const progress = ({ done: n, total }: ReportProgress) => {
        if (total > 1)
          this.status({ fill: "blue", shape: "dot", text: t("compass-cdr.status.day", { n, total }) });
      };
      const fetchReport = async () => {
        const input = await readInputs(RED, this, def, msg, INPUTS);
        const kind = String(input.report ?? "").trim();
        if (!isReportKind(kind)) throw new ReportError("bad-kind", { kind }, `unknown report kind "${kind}"`);
        this.status({ fill: "blue", shape: "dot", text: sharedText(RED, "status.requesting") });
        return connection.reports.fetch(kind, resolveRange(kind, input.from, input.to), progress);
      };
      fetchReport().then(
        (result) => {
          const { rows, ...asked } = result;
          const report = { ...asked, count: rows.length };
          msg.topic = result.kind;
          // "all": one message with every row; "each": one message per row
          if (def.output === "each") {
            // parts as the split node writes them, so a join node can put the rows back together
            const id = randomUUID();
            rows.forEach((row, index) => {
              send({
                ...msg,
                payload: row,
                report: { ...report },
                parts: { id, index, count: rows.length, type: "array", len: 1 },
              });
            });
          } else {
            msg.payload = rows;
            msg.report = report;
            send(msg);
          }
          const time = new Date().toTimeString().slice(0, 5);
          this.status({
            fill: "green",
            shape: "dot",
            text: t(rows.length === 1 ? "compass-cdr.status.row" : "compass-cdr.status.rows", {
              count: rows.length,
              time,
            }),
          });
          done();
        },
        (err: unknown) => {
          const error = asError(err);
          if (error instanceof ReportError) {
            const key = `compass-cdr.errors.${error.code}`;
            const text = t(key, { ...error.params, detail: error.message });
            if (text !== key) error.message = text;
          }
          const statusCode = (error as { statusCode?: unknown }).statusCode;
          if (typeof statusCode === "number") msg.statusCode = statusCode;
          this.status({ fill: "red", shape: "ring", text: cut(error.message, STATUS_REASON_LENGTH) });
          done(error);
        },
      );
    });
  }

  RED.nodes.registerType("compass-cdr", CompassCdr);
};
