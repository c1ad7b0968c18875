/**
 * The results bus topic that carries hosts' answers to live query campaigns, from the agent API
 * (producer) to the results gateway (consumer).
 *
 * Key: String(campaign_id), so one campaign's results stay in one partition, in order.
 * Delivery is at least once: a message may come twice, a host may answer twice, and a message
 * may name a host the campaign did not target; the gateway deals with all three.
 *
 * Value, in one of two formats (the gateway reads both):
 * - Envelope and rows (written since issue 13): header `envelope` holds the CampaignResultEnvelope
 *   as JSON (small: campaign, host, error, time), and the value is the rows' JSON text, an array
 *   of objects of strings, exactly as the agent API wrote it. The gateway reads the envelope only
 *   and hands the rows' text on as it is (store, watcher frames, relay): rows are parsed once, by
 *   the agent API that received them, and never re-encoded on the way to a watcher.
 * - Whole message (the first format; messages of it may still sit in topics and journals): no
 *   `envelope` header, and the value is a CampaignResultMessage as JSON, rows included.
 *
 * Trust: the topic is internal. The agent API checked the rows (an array of objects) before
 * writing their text with JSON.stringify; the gateway checks the text is a JSON array ('[' … ']')
 * and within the size limit, and splices it as is. A producer able to write here could forge any
 * host's answer anyway.
 */
import type { OutgoingMessage } from '../ports/results-bus';

export const CAMPAIGN_RESULTS_TOPIC = 'campaign-results';
/** The header that holds the envelope; its absence marks a message of the first format. */
export const ENVELOPE_HEADER = 'envelope';

export interface CampaignResultHost {
  id: number;
  hostname: string;
  display_name: string;
}

/** Everything about one host's answer but its rows. */
export interface CampaignResultEnvelope {
  campaign_id: number;
  host: CampaignResultHost;
  /** osquery's error for this host, or null when the query ran. */
  error: string | null;
  /** ISO-8601 time the agent API received the host's answer. */
  answered_at: string;
}

/** A message of the first format (the whole answer as one JSON value). */
export interface CampaignResultMessage extends CampaignResultEnvelope {
  rows: Array<Record<string, string>>;
}

/** A host's answer as the agent API produces it: the envelope in its header, the rows' text as the value. */
export function campaignResultMessage(envelope: CampaignResultEnvelope, rowsJson: string): OutgoingMessage {
  return {
    key: String(envelope.campaign_id),
    value: rowsJson,
    headers: { [ENVELOPE_HEADER]: JSON.stringify(envelope) },
  };
}
