/**
 * Payment links: a collection in the merchant's partition (`SK = plink_…`), plus one slug item per
 * link (`PK=PLINK#<slug>`), claimed in the link's creation transaction, so a slug names one link
 * across the deployment and the public page resolves it with one GetItem.
 *
 * The domain's `expiresAt` is stored as `linkExpiresAt`: `expiresAt` is the table's TTL attribute,
 * and DynamoDB would delete a link once it expired.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import type { PaymentLink } from "../payment-links/payment-link.ts";
import { collection, type ExtraWrite, type ListQuery, type Page, type Versioned } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { allOf } from "./filters.ts";
import { keys } from "./keys.ts";

const links = collection<PaymentLink>({
  type: "paymentLink",
  idKind: "paymentLink",
  label: "payment link",
  attributes: {
    toAttributes: ({ expiresAt, ...rest }) => ({
      ...rest,
      ...(expiresAt !== undefined ? { linkExpiresAt: expiresAt } : {}),
    }),
    fromAttributes: ({ linkExpiresAt, ...rest }) =>
      ({
        ...rest,
        ...(linkExpiresAt !== undefined ? { expiresAt: linkExpiresAt } : {}),
      }) as unknown as PaymentLink,
  },
});

/** The conflict a slug already taken gives (the service draws another one). */
export const slugTaken = "The payment link's slug is taken; try again";

const claimSlug = (merchantId: string, link: PaymentLink): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.paymentLinkSlug(link.slug),
        type: "paymentLinkSlug",
        merchantId,
        paymentLinkId: link.id,
      },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
  conflict: slugTaken,
});

export interface PaymentLinkListQuery extends Omit<ListQuery, "filter"> {
  active?: boolean;
}

export interface PaymentLinkStore {
  read(merchantId: string, id: string): Promise<Versioned<PaymentLink> | undefined>;
  /** The merchant and link a public slug names, if any. */
  findBySlug(slug: string): Promise<{ merchantId: string; paymentLinkId: string } | undefined>;
  /** The link, its slug claim and its event, in one transaction. */
  create(merchantId: string, link: PaymentLink, event: DomainEvent): Promise<void>;
  replace(merchantId: string, next: PaymentLink, version: number, event: DomainEvent): Promise<void>;
  list(merchantId: string, query: PaymentLinkListQuery): Promise<Page<PaymentLink>>;
}

export const dynamoPaymentLinkStore: PaymentLinkStore = {
  read: (merchantId, id) => links.read(merchantId, id),
  async findBySlug(slug) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.paymentLinkSlug(slug) }),
    );
    return Item?.type === "paymentLinkSlug"
      ? { merchantId: String(Item.merchantId), paymentLinkId: String(Item.paymentLinkId) }
      : undefined;
  },
  create: (merchantId, link, event) => links.create(merchantId, link, event, [claimSlug(merchantId, link)]),
  replace: (merchantId, next, version, event) => links.replace(merchantId, next, version, event),
  list(merchantId, { active, ...query }) {
    const filter = allOf(active !== undefined ? [{ attribute: "active", equals: active }] : []);
    return links.list(merchantId, { ...query, ...(filter ? { filter } : {}) });
  },
};
