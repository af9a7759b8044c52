import type { IncomingMessage, ServerResponse } from 'node:http';
import { codeBytesOf } from './code-bytes.js';
import { CALLBACK_PATH, type EmulatorContext, recordRequest } from './context.js';
import { handleUploadCallback } from './esa/callback-receiver.js';
import type { FaultRule } from './faults.js';
import { applyFaultDelayAndDrop, BodyTooLargeError, readBody, sendJson } from './http.js';
import { newRequestId } from './ids.js';
import {
  type CodeVersionRecord,
  type Deployment,
  ENV_NAMES,
  type Routine,
  type StsSession,
} from './state.js';

/** Prefix of the emulator's own routes on the ESA server; real ESA has none of them. */
export const ADMIN_PREFIX = '/__emulator/';

function versionView(ctx: EmulatorContext, routine: Routine, codeVersion: string) {
  const v = ctx.state.settleVersion(routine, codeVersion);
  if (!v) return undefined;
  return {
    name: routine.name,
    codeVersion: v.codeVersion,
    description: v.description,
    /** Size and sha256 of the routine code (`/code`); an assets version's `routine/index.js`. */
    size: v.size,
    sha256: v.sha256,
    createTime: v.createTime.toISOString(),
    /** The `DeployEnv` of its commit, `null` when none was given. */
    deployEnv: v.deployEnv ?? null,
    /** The environments whose deployment includes it, at any percentage. */
    deployedTo: ctx.state.deployedEnvs(routine, codeVersion),
    /** `init`, `available` or `failed`, lower-case as `GetRoutineCodeVersionInfo` answers it. */
    status: v.status,
    /** Why the version is `failed`, else `null`. */
    failureReason: v.failureReason ?? null,
    /** Whether it has a `routine/index.js` (a committed staging version always has code). */
    hasRoutine: v.routine !== undefined,
    /** Whether it has files under `assets/` (`/assets` lists them). */
    hasAssets: v.assets.size > 0,
    notFoundStrategy: v.notFoundStrategy ?? null,
    extraInfo: v.extraInfo,
    buildId: v.buildId ?? null,
  };
}

/** An assets version's files: path below `assets/`, size and sha256, sorted by path. */
function assetsView(version: CodeVersionRecord) {
  return [...version.assets.keys()].sort().map((path) => {
    const { size, sha256 } = codeBytesOf(version.assets.get(path) ?? Buffer.alloc(0));
    return { path, size, sha256 };
  });
}

/** Sends exact bytes with their sha256 in `x-esa-stage-sha256`. */
function sendBytes(res: ServerResponse, contentType: string, bytes: Buffer): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': bytes.length,
    'x-esa-stage-sha256': codeBytesOf(bytes).sha256,
  });
  res.end(bytes);
}

/** An environment's deployment: its id, when it was made, and each version with its percentage. */
function deploymentView(deployment: Deployment) {
  return {
    deployId: deployment.deployId,
    creationTime: deployment.creationTime.toISOString(),
    strategy: deployment.strategy,
    codeVersions: deployment.codeVersions.map(({ codeVersion, percentage }) => ({ codeVersion, percentage })),
  };
}

function routineView(ctx: EmulatorContext, routine: Routine) {
  return {
    name: routine.name,
    description: routine.description,
    createTime: routine.createTime.toISOString(),
    hasAssets: routine.hasAssets,
    defaultRelatedRecord: routine.defaultRelatedRecord,
    staging: routine.staging && {
      objectKey: routine.staging.objectKey,
      codeVersion: routine.staging.codeVersion,
      description: routine.staging.description,
      size: routine.staging.size,
      sha256: routine.staging.sha256,
      uploadedAt: routine.staging.uploadedAt.toISOString(),
    },
    versions: [...routine.versions.keys()].map((v) => versionView(ctx, routine, v)),
    envs: Object.fromEntries(
      ENV_NAMES.flatMap((env) => {
        const deployment = routine.envs.get(env);
        return deployment ? [[env, deploymentView(deployment)]] : [];
      }),
    ),
  };
}

/** An STS session as JSON: who assumed which role until when; never its secrets. */
function stsSessionView(session: StsSession) {
  return {
    action: session.action,
    accessKeyId: session.accessKeyId,
    roleArn: session.roleArn,
    roleSessionName: session.roleSessionName,
    principal: session.principal,
    assumedRoleId: session.assumedRoleId,
    durationSeconds: session.durationSeconds,
    issuedAt: session.issuedAt.toISOString(),
    expiration: session.expiration.toISOString(),
    policy: session.policy ?? null,
    callerAccessKeyId: session.callerAccessKeyId ?? null,
    callerPrincipal: session.callerPrincipal ?? null,
    oidcProviderArn: session.oidcProviderArn ?? null,
    subject: session.subject ?? null,
    issuer: session.issuer ?? null,
    audience: session.audience ?? null,
    requestId: session.requestId,
  };
}

function notFound(res: ServerResponse, what: string, requestId: string): void {
  sendJson(res, 404, { Code: 'NotFound', Message: `${what} not found` }, requestId);
}

/** Reads the JSON body of an admin call as a fault rule (validated by the injector). */
async function readFaultRule(req: IncomingMessage): Promise<FaultRule> {
  const body = await readBody(req, 64 * 1024);
  return JSON.parse(body.toString('utf8')) as FaultRule;
}

/**
 * The emulator's own routes: the OSS callback receiver, read-only inspection of routines and
 * versions (with the exact bytes), the request log, STS sessions, faults and reset. Returns false for any other
 * path, which is then ESA OpenAPI's.
 */
export async function handleAdminRequest(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  if (!url.pathname.startsWith(ADMIN_PREFIX)) return false;
  const requestId = newRequestId();
  const method = req.method ?? 'GET';

  if (url.pathname === CALLBACK_PATH && method === 'POST') {
    const effect = ctx.faults.take({ callback: true });
    if (await applyFaultDelayAndDrop(effect, res)) return true;
    if (effect.error) {
      sendJson(
        res,
        effect.error.status,
        { Code: effect.error.code, Message: effect.error.message },
        requestId,
      );
      recordRequest(ctx, {
        service: 'callback',
        action: CALLBACK_PATH,
        status: effect.error.status,
        code: effect.error.code,
        requestId,
      });
      return true;
    }
    await handleUploadCallback(ctx, req, res);
    return true;
  }

  const parts = url.pathname.slice(ADMIN_PREFIX.length).split('/').map(decodeURIComponent);
  try {
    if (method === 'GET' && parts[0] === 'health') {
      sendJson(
        res,
        200,
        {
          ok: true,
          endpoint: ctx.endpoints.esa,
          ossEndpoint: ctx.endpoints.oss,
          stsEndpoint: ctx.endpoints.sts,
          stagingEdge: ctx.endpoints.stagingEdge,
          productionEdge: ctx.endpoints.productionEdge,
          caPath: ctx.caPath,
        },
        requestId,
      );
    } else if (method === 'GET' && parts[0] === 'routines' && parts.length === 1) {
      sendJson(
        res,
        200,
        [...ctx.state.routines.values()].map((r) => routineView(ctx, r)),
        requestId,
      );
    } else if (method === 'GET' && parts[0] === 'routines' && parts.length >= 2) {
      const routine = ctx.state.routines.get(parts[1] ?? '');
      if (!routine) {
        notFound(res, `routine "${parts[1]}"`, requestId);
        return true;
      }
      if (parts.length === 2) {
        sendJson(res, 200, routineView(ctx, routine), requestId);
      } else if (parts[2] === 'versions' && parts.length >= 4) {
        const version = ctx.state.settleVersion(routine, parts[3] ?? '');
        if (!version) {
          notFound(res, `code version "${parts[3]}" of "${routine.name}"`, requestId);
          return true;
        }
        const assetPath = parts.slice(5).join('/');
        const asset = version.assets.get(assetPath);
        if (parts.length === 4) {
          sendJson(res, 200, versionView(ctx, routine, version.codeVersion), requestId);
        } else if (parts[4] === 'code' && parts.length === 5) {
          sendBytes(res, 'application/javascript', version.bytes);
        } else if (parts[4] === 'assets' && parts.length === 5) {
          sendJson(res, 200, assetsView(version), requestId);
        } else if (parts[4] === 'assets' && asset) {
          sendBytes(res, 'application/octet-stream', asset);
        } else if (parts[4] === 'assets') {
          notFound(res, `asset "${assetPath}" of code version "${version.codeVersion}"`, requestId);
        } else {
          notFound(res, url.pathname, requestId);
        }
      } else {
        notFound(res, url.pathname, requestId);
      }
    } else if (method === 'GET' && parts[0] === 'requests') {
      sendJson(res, 200, ctx.state.requests, requestId);
    } else if (method === 'GET' && parts[0] === 'edge-requests' && parts.length === 1) {
      sendJson(res, 200, ctx.state.edgeRequests, requestId);
    } else if (method === 'GET' && parts[0] === 'sts-sessions' && parts.length === 1) {
      sendJson(res, 200, ctx.state.stsSessions.map(stsSessionView), requestId);
    } else if (parts[0] === 'faults' && method === 'GET') {
      sendJson(res, 200, ctx.faults.list(), requestId);
    } else if (parts[0] === 'faults' && method === 'POST') {
      const id = ctx.faults.inject(await readFaultRule(req));
      sendJson(res, 201, { id }, requestId);
    } else if (parts[0] === 'faults' && method === 'DELETE') {
      ctx.faults.clear();
      sendJson(res, 200, { ok: true }, requestId);
    } else if (parts[0] === 'reset' && method === 'POST') {
      ctx.state.reset();
      ctx.faults.clear();
      sendJson(res, 200, { ok: true }, requestId);
    } else {
      notFound(res, `${method} ${url.pathname}`, requestId);
    }
  } catch (error) {
    const status = error instanceof BodyTooLargeError ? 413 : 400;
    sendJson(res, status, { Code: 'InvalidRequest', Message: (error as Error).message }, requestId);
  }
  return true;
}
