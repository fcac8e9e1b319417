/**
 * Quotes: a collection in the merchant's partition, the per-merchant quote counter, the hosted-page
 * token, and the PDF rendered at publish (its own item, binary: a quote's PDF is frozen once made).
 * The domain's `expiresAt` is stored as `quoteExpiresAt`: `expiresAt` is the table's TTL attribute,
 * and DynamoDB would delete the quote once it passed.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { QuoteFilter } from "../quotes/quote.ts";
import type { QuoteStore, StoredQuote } from "../quotes/ports.ts";
import { asChange, collection, type ExtraWrite } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { quoteQuery } from "./list-filters.ts";
import { eventPut } from "./outbox.ts";

const quotes = collection<StoredQuote>({
  type: "quote",
  idKind: "quote",
  label: "quote",
  attributes: {
    toAttributes: ({ expiresAt, ...rest }) => ({ ...rest, quoteExpiresAt: expiresAt }),
    fromAttributes: ({ quoteExpiresAt, ...rest }) =>
      ({ ...rest, expiresAt: quoteExpiresAt }) as unknown as StoredQuote,
  },
});

/** The conflict message of a lost race on the quote counter (the service retries on it). */
export const quoteCounterRace = "Another quote took this number; retrying";

/** The largest PDF kept in the table (an item holds at most 400 KB, the PDF's own item some attributes too). */
export const maxStoredPdfBytes = 350 * 1024;

/**
 * The largest signed PDF kept: the published one (at most `maxStoredPdfBytes`) and its audit-trail
 * page, whose entries are few (a publish, up to four signatures, an acceptance) and their fields
 * bounded (names 200, user agents 500 characters), so tens of KB at most — still under 400 KB.
 */
export const maxSignedPdfBytes = 395 * 1024;

const counterWrite = (merchantId: string, counter: number): ExtraWrite => {
  const TableName = tableName();
  const Key = keys.counter(merchantId, "quote");
  return {
    item:
      counter === 0
        ? {
            Put: {
              TableName,
              Item: { ...Key, type: "counter", value: 1 },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          }
        : {
            Update: {
              TableName,
              Key,
              UpdateExpression: "SET #value = :next",
              ConditionExpression: "#value = :current",
              ExpressionAttributeNames: { "#value": "value" },
              ExpressionAttributeValues: { ":next": counter + 1, ":current": counter },
            },
          },
    conflict: quoteCounterRace,
  };
};

const put = (Item: Record<string, unknown>, conflict: string): ExtraWrite => ({
  item: { Put: { TableName: tableName(), Item, ConditionExpression: "attribute_not_exists(PK)" } },
  conflict,
});

export const dynamoQuoteStore: QuoteStore = {
  read: (merchantId, id) => quotes.read(merchantId, id),
  create: (merchantId, quote, event) => quotes.create(merchantId, quote, event),
  replace: (merchantId, quote, version, event) => quotes.replace(merchantId, quote, version, event),
  remove: (merchantId, id, version, event) => quotes.remove(merchantId, id, version, event),
  replaceWrite: (merchantId, quote, version) => asChange(quotes.replaceWrite(merchantId, quote, version)),
  list: (merchantId, filter: QuoteFilter, page) => quotes.list(merchantId, quoteQuery(filter, page)),

  async readCounter(merchantId) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.counter(merchantId, "quote"),
        ConsistentRead: true,
      }),
    );
    return Number(Item?.value ?? 0);
  },

  /**
   * One transaction: the draft becomes the open quote (on its version), its PDF and hosted token are
   * written once, an original's number moves the counter from n to n + 1 only if it is still n, and a
   * revision's original becomes superseded only if it is still the open quote it was. A lost race
   * cancels everything; the caller re-reads and retries, so numbers stay gapless. At most 5 items.
   */
  async publish(merchantId, quote, version, p) {
    const token = p.hostedToken;
    await quotes.replace(merchantId, quote, version, p.event, [
      ...(p.counter !== undefined ? [counterWrite(merchantId, p.counter)] : []),
      put(
        { ...keys.hostedPage(token), type: "hostedPage", kind: "quote", merchantId, quoteId: quote.id },
        "Hosted page token collision; try again",
      ),
      put(
        { ...keys.quotePdf(merchantId, quote.id), type: "quotePdf", pdf: p.pdf },
        "The quote's PDF was already stored",
      ),
      ...(p.supersede
        ? [
            quotes.replaceWrite(
              merchantId,
              p.supersede.quote,
              p.supersede.version,
              "The quote this one revises was changed by another request",
            ),
            { item: eventPut(p.supersede.event) },
          ]
        : []),
    ]);
  },

  async readPdf(merchantId, quoteId) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.quotePdf(merchantId, quoteId) }),
    );
    return Item?.pdf instanceof Uint8Array ? Item.pdf : undefined;
  },

  async readSignedPdf(merchantId, quoteId) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.quoteSignedPdf(merchantId, quoteId),
        ConsistentRead: true,
      }),
    );
    return Item?.pdf instanceof Uint8Array ? Item.pdf : undefined;
  },

  async keepSignedPdf(merchantId, quoteId, pdf) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.quoteSignedPdf(merchantId, quoteId), type: "quoteSignedPdf", pdf },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return pdf;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const kept = await dynamoQuoteStore.readSignedPdf(merchantId, quoteId);
      if (!kept) throw error;
      return kept;
    }
  },

  async findHosted(token) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.hostedPage(token) }),
    );
    return Item?.kind === "quote"
      ? { merchantId: String(Item.merchantId), quoteId: String(Item.quoteId) }
      : undefined;
  },

  eventWrite: (event) => asChange({ item: eventPut(event) }),
};
