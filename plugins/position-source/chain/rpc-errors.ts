/**
 * Turns whatever viem throws (HTTP status, JSON-RPC error, revert, timeout, decoding failure) into a
 * SourceError with a stable code, a retryable flag and a message free of the RPC URL.
 */
import { BaseError, HttpRequestError, RpcRequestError, TimeoutError } from 'viem';
import { SourceError } from '../../../core/errors.ts';
import { scrubUrl } from '../support.ts';

/** Maps a viem (or other) error from an RPC call to a SourceError naming `what` was being done. */
export function toSourceError(source: string, err: unknown, what: string, rpcUrl: string): SourceError {
  if (err instanceof SourceError) return err;
  const chain: unknown[] = [];
  for (let e: unknown = err; e && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  const find = <T>(pred: (e: unknown) => e is T): T | undefined => chain.find(pred) as T | undefined;
  const named = (name: string) => chain.some((e) => e instanceof Error && e.name === name);
  const text = (e: unknown) => scrubUrl(e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e), rpcUrl);

  const http = find((e): e is HttpRequestError => e instanceof HttpRequestError);
  if (find((e): e is TimeoutError => e instanceof TimeoutError) || named('TimeoutError')) {
    return new SourceError(source, 'CHAIN_TIMEOUT', `${what}: the RPC did not answer in time`, { cause: err });
  }
  if (http?.status !== undefined) {
    const retryable = http.status === 429 || http.status >= 500;
    return new SourceError(source, 'CHAIN_HTTP', `${what}: expected HTTP 200 from the RPC, got ${http.status}`, {
      cause: err,
      errorClass: retryable ? 'retryable' : 'non-retryable',
    });
  }
  if (named('ExecutionRevertedError') || named('ContractFunctionRevertedError') || /revert/i.test(text(err))) {
    return new SourceError(source, 'CHAIN_REVERT', `${what}: the call reverted (${text(err)})`, { cause: err, errorClass: 'non-retryable' });
  }
  const rpc = find((e): e is RpcRequestError => e instanceof RpcRequestError);
  if (rpc) return new SourceError(source, 'CHAIN_RPC', `${what}: RPC error ${rpc.code}: ${scrubUrl(rpc.details || rpc.shortMessage, rpcUrl)}`, { cause: err });
  if (named('SyntaxError')) {
    const detail = scrubUrl(http?.details ?? '', rpcUrl);
    return new SourceError(source, 'CHAIN_MALFORMED', `${what}: expected a JSON-RPC answer, got unparseable JSON (${detail})`, { cause: err, errorClass: 'non-retryable' });
  }
  if (http) return new SourceError(source, 'CHAIN_HTTP', `${what}: ${text(http)} ${scrubUrl(http.details, rpcUrl)}`.trim(), { cause: err });
  if (named('AbiDecodingZeroDataError') || named('AbiDecodingDataSizeTooSmallError') || /decod|hex|size/i.test(text(err))) {
    return new SourceError(source, 'CHAIN_MALFORMED', `${what}: malformed answer (${text(err)})`, { cause: err, errorClass: 'non-retryable' });
  }
  return new SourceError(source, 'CHAIN_RPC', `${what}: ${text(err)}`, { cause: err });
}
