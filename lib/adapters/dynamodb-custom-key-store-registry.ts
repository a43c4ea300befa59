/**
 * What CloudTrail tells about custom key stores and their CloudHSM clusters, on the single table:
 *
 *   pk                      sk              what
 *   CKS#<storeId>           STORE           cluster, type, connectionState (+ connectionStateAt: newest wins)
 *   HSMCLUSTER#<clusterId>  CKS#<storeId>   the cluster backs this store
 *   HSMCLUSTER#<clusterId>  HSM#<hsmId>     an HSM: ACTIVE or DELETED (+ at: newest wins)
 *
 * Writes are conditional on "newer than", so a replayed or late event changes nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { customKeyStoreIdOf, field } from '../domain/alerts/custom-key-store.js';
import type { CustomKeyStoreRegistry, CustomKeyStoreView } from '../domain/alerts/custom-key-store-registry.js';
import type { KmsEvent } from '../domain/kms-event.js';
import { CONNECTION_AFTER, hsmField, toView } from './custom-key-store-items.js';

const storePk = (customKeyStoreId: string): string => `CKS#${customKeyStoreId}`;
const STORE_SK = 'STORE';
const clusterPk = (clusterId: string): string => `HSMCLUSTER#${clusterId}`;
const hsmSk = (hsmId: string): string => `HSM#${hsmId}`;


export class DynamoDbCustomKeyStoreRegistry implements CustomKeyStoreRegistry {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async observe(event: KmsEvent): Promise<void> {
    if (event.error !== undefined) return;
    if (event.eventName === 'CreateHsm') return this.observeHsm(event, 'ACTIVE');
    if (event.eventName === 'DeleteHsm') return this.observeHsm(event, 'DELETED');
    const customKeyStoreId = customKeyStoreIdOf(event);
    if (customKeyStoreId === undefined) return;
    // CloudTrail logs the API's CloudHsmClusterId as requestParameters.clusterId (AWS's ct-create-keystore example);
    // Connect/Disconnect carry it in additionalEventData.
    const clusterId =
      field(event.requestParameters, 'clusterId') ??
      field(event.requestParameters, 'cloudHsmClusterId') ??
      field(event.additionalEventData, 'clusterId');
    if (clusterId !== undefined) await this.linkCluster(customKeyStoreId, clusterId, event);
    const state = CONNECTION_AFTER[event.eventName];
    if (state !== undefined) await this.setConnectionState(customKeyStoreId, state, event);
  }

  async store(customKeyStoreId: string): Promise<CustomKeyStoreView | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: storePk(customKeyStoreId), sk: STORE_SK } }),
    );
    return Item === undefined ? undefined : toView(Item);
  }

  async storesBackedBy(cloudHsmClusterId: string): Promise<CustomKeyStoreView[]> {
    const links = await this.queryCluster(cloudHsmClusterId, 'CKS#');
    const stores = await Promise.all(links.map((item) => this.store(String(item.sk).slice('CKS#'.length))));
    return stores.filter(
      (store): store is CustomKeyStoreView =>
        store !== undefined && store.connectionState !== 'DELETED' && store.cloudHsmClusterId === cloudHsmClusterId,
    );
  }

  async activeHsmCount(cloudHsmClusterId: string): Promise<number | undefined> {
    const hsms = await this.queryCluster(cloudHsmClusterId, 'HSM#');
    // Without a CreateHsm the guard never saw the cluster's HSMs and cannot count them.
    if (!hsms.some((hsm) => hsm.created === true)) return undefined;
    return hsms.filter((hsm) => hsm.state === 'ACTIVE').length;
  }

  private async linkCluster(customKeyStoreId: string, clusterId: string, event: KmsEvent): Promise<void> {
    await this.newerThan({
      Key: { pk: storePk(customKeyStoreId), sk: STORE_SK },
      UpdateExpression: 'SET customKeyStoreId = :id, cloudHsmClusterId = :cluster, clusterAt = :at, accountId = :account, #region = :region' +
        (event.eventName === 'CreateCustomKeyStore' ? ', customKeyStoreType = :type' : ''),
      ConditionExpression: 'attribute_not_exists(clusterAt) OR clusterAt < :at',
      ExpressionAttributeNames: { '#region': 'region' },
      ExpressionAttributeValues: {
        ':id': customKeyStoreId,
        ':cluster': clusterId,
        ':at': event.eventTime,
        ':account': event.accountId,
        ':region': event.region,
        ...(event.eventName === 'CreateCustomKeyStore'
          ? { ':type': field(event.requestParameters, 'customKeyStoreType') ?? 'AWS_CLOUDHSM' }
          : {}),
      },
    });
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: clusterPk(clusterId), sk: `CKS#${customKeyStoreId}` },
        UpdateExpression: 'SET linkedAt = if_not_exists(linkedAt, :at)',
        ExpressionAttributeValues: { ':at': event.eventTime },
      }),
    );
  }

  private async setConnectionState(customKeyStoreId: string, state: string, event: KmsEvent): Promise<void> {
    await this.newerThan({
      Key: { pk: storePk(customKeyStoreId), sk: STORE_SK },
      UpdateExpression: 'SET customKeyStoreId = :id, connectionState = :state, connectionStateAt = :at, connectionEventId = :eventId',
      ConditionExpression: 'attribute_not_exists(connectionStateAt) OR connectionStateAt < :at',
      ExpressionAttributeValues: { ':id': customKeyStoreId, ':state': state, ':at': event.eventTime, ':eventId': event.eventId },
    });
  }

  private async observeHsm(event: KmsEvent, state: 'ACTIVE' | 'DELETED'): Promise<void> {
    const clusterId = field(event.requestParameters, 'clusterId') ?? hsmField(event.responseElements, 'clusterId');
    if (clusterId === undefined) return;
    const hsmId =
      field(event.requestParameters, 'hsmId') ??
      field(event.responseElements, 'hsmId') ??
      hsmField(event.responseElements, 'hsmId') ??
      (await this.findHsmByEni(clusterId, event)) ??
      `unidentified-${event.eventId}`;
    await this.newerThan({
      Key: { pk: clusterPk(clusterId), sk: hsmSk(hsmId) },
      UpdateExpression:
        'SET #state = :state, #at = :at, eventId = :eventId' +
        (state === 'ACTIVE' ? ', created = :true, eniId = :eniId, eniIp = :eniIp' : ''),
      ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
      ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
      ExpressionAttributeValues: {
        ':state': state,
        ':at': event.eventTime,
        ':eventId': event.eventId,
        ...(state === 'ACTIVE'
          ? { ':true': true, ':eniId': hsmField(event.responseElements, 'eniId') ?? null, ':eniIp': hsmField(event.responseElements, 'eniIp') ?? null }
          : {}),
      },
    });
  }

  /** DeleteHsm may name the HSM by its ENI id or IP instead of its id. */
  private async findHsmByEni(clusterId: string, event: KmsEvent): Promise<string | undefined> {
    const eniId = field(event.requestParameters, 'eniId');
    const eniIp = field(event.requestParameters, 'eniIp');
    if (eniId === undefined && eniIp === undefined) return undefined;
    const hsms = await this.queryCluster(clusterId, 'HSM#');
    const match = hsms.find((hsm) => (eniId !== undefined && hsm.eniId === eniId) || (eniIp !== undefined && hsm.eniIp === eniIp));
    return match === undefined ? undefined : String(match.sk).slice('HSM#'.length);
  }

  private async queryCluster(clusterId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': clusterPk(clusterId), ':prefix': prefix },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  private async newerThan(update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<void> {
    try {
      await this.documents.send(new UpdateCommand({ TableName: this.tableName, ...update }));
    } catch (error) {
      // The item already holds this event or a newer one: nothing to do.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
