// Local Step Functions for `slipway up`: the AWS JSON 1.0 API that SDK clients speak (StartExecution,
// DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory), running the project's ASL files
// with aws-local-stepfunctions. Task states never reach AWS: Lambda ARNs and the resources named in
// `resourceOverrides` are invoked on the Java side through the Lambda Invoke API (`lambdaEndpoint`).
//
//   node --import ./polyfill.mjs server.mjs config.json
//
// config.json: {
//   "host": "127.0.0.1", "port": 0,
//   "lambdaEndpoint": "http://127.0.0.1:1234",           (default: $AWS_ENDPOINT_URL_LAMBDA)
//   "retryIntervalScale": 1, "waitScale": 1,               (0.01 = retries and Wait states 100x faster)
//   "resourceOverrides": { "arn:aws:states:::codebuild:startBuild.sync": "slipway-local-build" },
//   "stateMachines": [ { "name", "arn", "aslFile", "substitutions": { "${Key}": "value" } } ]
// }
//
// stdout: first line {"listening": {"host", "port"}}, then one JSON line per execution event.
// The server exits when its stdin closes, so it never outlives the JVM that started it.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { StateMachine, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';

const MAX_TIMER_SECONDS = 2147483; // setTimeout's limit; AWS has no default Task timeout, the library 60 s
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const NAME_OK = /^[^\s<>{}\[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

if (typeof Promise.withResolvers !== 'function') {
  process.stderr.write(`aws-local-stepfunctions needs Promise.withResolvers (Node >= 22); on Node ${process.version} start with --import ./polyfill.mjs\n`);
  process.exit(2);
}
// A stray rejection (e.g. a Task that fails after its state already timed out) must not stop the server.
process.on('unhandledRejection', (e) => log({ warning: `unhandled rejection: ${e?.name}: ${e?.message ?? e}` }));

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const lambdaEndpoint = (config.lambdaEndpoint ?? process.env.AWS_ENDPOINT_URL_LAMBDA ?? '').replace(/\/+$/, '');
const retryScale = config.retryIntervalScale ?? 1;
const waitScale = config.waitScale ?? 1;
const resourceOverrides = config.resourceOverrides ?? {};
const agent = new http.Agent({ keepAlive: true });

function log(line) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...line }) + '\n');
}

// ---------------------------------------------------------------- state machines

/** DefinitionSubstitutions, as SAM applies them: text replacement of ${Key} before parsing. */
function substitute(text, substitutions) {
  for (const [key, value] of Object.entries(substitutions ?? {})) {
    const token = key.startsWith('${') ? key : '${' + key + '}';
    text = text.split(token).join(JSON.stringify(String(value)).slice(1, -1));
  }
  return text;
}

/** Every state, including those inside Parallel branches and Map processors. */
function* allStates(definition) {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    yield [name, state];
    for (const branch of state.Branches ?? []) yield* allStates(branch);
    if (state.Iterator) yield* allStates(state.Iterator);
    if (state.ItemProcessor) yield* allStates(state.ItemProcessor);
  }
}

class TaskError extends Error {
  constructor(name, cause, { retryable = true } = {}) {
    super(cause);
    this.name = name;
    this.isRetryable = retryable;
    this.isCatchable = retryable;
  }
}

/** POST to the Java side's Lambda Invoke API. No client timeout: a local build may take minutes. */
function invoke(functionName, payload) {
  if (!lambdaEndpoint) {
    throw new TaskError('States.Runtime', 'no lambdaEndpoint configured (nor AWS_ENDPOINT_URL_LAMBDA)', { retryable: false });
  }
  const url = new URL(`${lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`);
  const body = Buffer.from(JSON.stringify(payload ?? null));
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-amz-invocation-type': 'RequestResponse' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let value = null;
        try {
          value = text.length ? JSON.parse(text) : null;
        } catch {
          return reject(new TaskError('Lambda.SdkClientException', `unparseable response from ${functionName}: ${text.slice(0, 200)}`));
        }
        if (res.statusCode !== 200) {
          const type = String(res.headers['x-amzn-errortype'] ?? value?.__type ?? 'ServiceException').split(':')[0];
          return reject(new TaskError(`Lambda.${type}`, value?.message ?? value?.Message ?? text));
        }
        if (res.headers['x-amz-function-error']) {
          // As Step Functions reports a Lambda error: the errorType is the error name, the payload the cause.
          const type = value?.errorType ?? 'Lambda.Unknown';
          return reject(new TaskError(type, JSON.stringify(value)));
        }
        resolve(value);
      });
    });
    req.on('error', (e) => reject(new TaskError('Lambda.SdkClientException', `${functionName}: ${e.message}`)));
    req.end(body);
  });
}

/** A local handler for one Task state's Resource, or an explanation of why there is none. */
function taskHandler(resource) {
  if (Object.hasOwn(resourceOverrides, resource)) {
    const fn = resourceOverrides[resource];
    return { target: fn, run: (input) => invoke(fn, input) };
  }
  const arn = LAMBDA_ARN.exec(resource);
  if (arn) {
    return { target: arn[1], run: (input) => invoke(arn[1], input) };
  }
  if (LAMBDA_INVOKE.test(resource)) {
    return {
      target: 'lambda:invoke',
      run: async (input) => {
        const name = LAMBDA_ARN.exec(input?.FunctionName ?? '')?.[1] ?? String(input?.FunctionName ?? '').split(':')[0];
        const payload = await invoke(name, input?.Payload ?? {});
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      },
    };
  }
  return {
    target: null,
    run: () => {
      throw new TaskError('States.Runtime',
        `Resource ${resource} has no local implementation: add it to resourceOverrides`, { retryable: false });
    },
  };
}

function loadStateMachine(spec) {
  const text = substitute(readFileSync(spec.aslFile, 'utf8'), spec.substitutions);
  const leftover = text.match(/\$\{[A-Za-z0-9_.:]+}/g);
  if (leftover) {
    log({ warning: `${spec.name}: no substitution for ${[...new Set(leftover)].join(', ')}` });
  }
  const definition = JSON.parse(text);
  new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } }); // throws if invalid

  // The copy that runs: retries and waits scaled, Tasks without a timeout given none (like AWS).
  const local = structuredClone(definition);
  const handlers = {};
  const resources = {};
  for (const [name, state] of allStates(local)) {
    for (const retrier of state.Retry ?? []) {
      retrier.IntervalSeconds = (retrier.IntervalSeconds ?? 1) * retryScale;
      if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds *= retryScale;
    }
    if (state.Type === 'Wait' && state.Seconds !== undefined) {
      state.Seconds *= waitScale;
    }
    if (state.Type === 'Task') {
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
      }
      if (resources[name] !== undefined && resources[name] !== state.Resource) {
        // The library finds local handlers by state name only.
        throw new Error(`${spec.name}: two Task states named '${name}' with different resources`);
      }
      resources[name] = state.Resource;
      const handler = taskHandler(state.Resource);
      if (!handler.target) {
        log({ warning: `${spec.name}: state '${name}' uses ${state.Resource}, which has no local implementation` });
      }
      handlers[name] = handler.run;
    }
  }
  return {
    name: spec.name,
    arn: spec.arn,
    machine: new StateMachine(local, { validationOptions: { noValidate: true } }),
    overrides: { taskResourceLocalHandlers: handlers },
  };
}

const machines = new Map();
for (const spec of config.stateMachines ?? []) {
  machines.set(spec.arn, loadStateMachine(spec));
}

// ---------------------------------------------------------------- executions

const executions = new Map(); // executionArn -> execution, in start order

class ApiError extends Error {
  constructor(type, message, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const seconds = (ms) => (ms == null ? undefined : ms / 1000);

function brief(value) {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text !== undefined && text.length > 2000 ? `[${text.length} characters]` : value;
}

function record(execution, event) {
  execution.events.push(event);
  log({
    execution: execution.arn,
    event: event.type,
    state: event.state?.name ?? event.parentState?.name,
    stateType: event.state?.type ?? event.parentState?.type,
    index: event.index,
    error: event.Error,
    cause: event.Cause,
    attempt: event.retry?.attempt,
    input: event.type === 'ExecutionStarted' ? brief(event.input) : undefined,
    output: event.type === 'StateExited' || event.type === 'ExecutionSucceeded'
      ? brief(event.state?.output ?? event.output) : undefined,
  });
}

function finish(execution, status, fields = {}) {
  if (execution.status !== 'RUNNING') return;
  Object.assign(execution, { status, stopDate: Date.now() }, fields);
}

function startExecution(req) {
  const sm = machines.get(req.stateMachineArn);
  if (!sm) {
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(req.stateMachineArn ?? '')) {
      throw new ApiError('InvalidArn', `Invalid Arn: '${req.stateMachineArn}'`);
    }
    throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn}'`);
  }
  const name = req.name ?? randomUUID();
  if (!NAME_OK.test(name)) {
    throw new ApiError('InvalidName', `Invalid Name: '${name}'`);
  }
  const inputText = req.input ?? '{}';
  let input;
  try {
    input = JSON.parse(inputText);
  } catch (e) {
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${e.message}'`);
  }
  const arn = sm.arn.replace(':stateMachine:', ':execution:') + ':' + name;
  const existing = executions.get(arn);
  if (existing) {
    // Standard workflows: the same name and input while running is the same call; anything else a conflict.
    if (existing.status === 'RUNNING' && existing.input === inputText) {
      return { executionArn: arn, startDate: seconds(existing.startDate) };
    }
    throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }
  const execution = {
    arn, name, stateMachineArn: sm.arn, input: inputText, status: 'RUNNING', startDate: Date.now(), events: [],
  };
  executions.set(arn, execution);
  const run = sm.machine.run(input, {
    overrides: sm.overrides,
    noThrowOnAbort: true,
    context: { Execution: { Id: arn, Name: name }, StateMachine: { Id: sm.arn, Name: sm.name } },
  });
  execution.abort = run.abort;
  const logged = (async () => {
    for await (const event of run.eventLogs) record(execution, event);
  })().catch((e) => log({ execution: arn, warning: `event log: ${e}` }));
  const settled = run.result.then(
    (output) => finish(execution, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
    (e) => {
      if (e instanceof ExecutionTimeoutError) {
        finish(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
        return;
      }
      const failure = e instanceof ExecutionError && e.cause ? e.cause : e;
      const cause = failure.cause ?? failure.message;
      finish(execution, 'FAILED', {
        error: failure.name,
        cause: typeof cause === 'string' ? cause : JSON.stringify(cause),
      });
    },
  );
  Promise.allSettled([settled, logged]).then(() => log({
    execution: arn, status: execution.status, error: execution.error, ms: execution.stopDate - execution.startDate,
  }));
  return { executionArn: arn, startDate: seconds(execution.startDate) };
}

function findExecution(arn) {
  const execution = executions.get(arn);
  if (!execution) {
    throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }
  return execution;
}

function summary(e) {
  return {
    executionArn: e.arn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status,
    startDate: seconds(e.startDate), stopDate: seconds(e.stopDate),
  };
}

function describeExecution(req) {
  const e = findExecution(req.executionArn);
  return {
    ...summary(e),
    input: e.input, inputDetails: { included: true },
    output: e.output, outputDetails: e.output !== undefined ? { included: true } : undefined,
    error: e.error, cause: e.cause,
  };
}

function listExecutions(req) {
  if (req.stateMachineArn && !machines.has(req.stateMachineArn)) {
    throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn}'`);
  }
  const all = [...executions.values()]
    .filter((e) => !req.stateMachineArn || e.stateMachineArn === req.stateMachineArn)
    .filter((e) => !req.statusFilter || e.status === req.statusFilter)
    .reverse(); // newest first, as AWS lists them
  const from = req.nextToken ? Number(req.nextToken) : 0;
  const max = req.maxResults > 0 ? Math.min(req.maxResults, 1000) : 100;
  const page = all.slice(from, from + max);
  return {
    executions: page.map(summary),
    nextToken: from + max < all.length ? String(from + max) : undefined,
  };
}

function stopExecution(req) {
  const e = findExecution(req.executionArn);
  if (e.status === 'RUNNING') {
    finish(e, 'ABORTED', { error: req.error, cause: req.cause });
    e.abort();
  }
  return { stopDate: seconds(e.stopDate) };
}

/** A simplified history in the AWS shape: enough to see which states ran, with what, and why one failed. */
function getExecutionHistory(req) {
  const e = findExecution(req.executionArn);
  let events = e.events.map((ev, i) => {
    const h = { timestamp: seconds(ev.timestamp), id: i + 1, previousEventId: i };
    const state = ev.state ?? ev.parentState;
    switch (ev.type) {
      case 'ExecutionStarted':
        return { ...h, type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify(ev.input) } };
      case 'ExecutionSucceeded':
        return { ...h, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: JSON.stringify(ev.output) } };
      case 'ExecutionFailed':
        return { ...h, type: 'ExecutionFailed', executionFailedEventDetails: { error: ev.Error, cause: String(ev.Cause) } };
      case 'ExecutionAborted':
        return { ...h, type: 'ExecutionAborted' };
      case 'ExecutionTimeout':
        return { ...h, type: 'ExecutionTimedOut' };
      case 'StateEntered':
        return { ...h, type: `${state.type}StateEntered`, stateEnteredEventDetails: { name: state.name, input: JSON.stringify(state.input) } };
      case 'StateExited':
        return { ...h, type: `${state.type}StateExited`, stateExitedEventDetails: { name: state.name, output: JSON.stringify(state.output) } };
      case 'StateFailed':
        return { ...h, type: 'TaskFailed', taskFailedEventDetails: { resourceType: state.type, resource: state.name, error: ev.Error, cause: String(ev.Cause) } };
      default:
        return { ...h, type: ev.type };
    }
  });
  if (req.reverseOrder) events = events.reverse();
  return { events };
}

const operations = {
  StartExecution: startExecution,
  DescribeExecution: describeExecution,
  ListExecutions: listExecutions,
  StopExecution: stopExecution,
  GetExecutionHistory: getExecutionHistory,
};

// ---------------------------------------------------------------- HTTP

function send(res, status, body, errorType) {
  const text = JSON.stringify(body);
  const headers = {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      if (req.method === 'GET') {
        return send(res, 200, { stateMachines: [...machines.keys()], executions: executions.size });
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = operations[target.replace(/^AWSStepFunctions\./, '')];
      if (!target.startsWith('AWSStepFunctions.') || !operation) {
        throw new ApiError('UnknownOperationException', `${target || 'no X-Amz-Target'} is not supported locally`);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = text.trim() ? JSON.parse(text) : {};
      } catch {
        throw new ApiError('SerializationException', 'request body is not JSON');
      }
      send(res, 200, operation(body));
    } catch (e) {
      if (e instanceof ApiError) {
        send(res, e.status, { __type: e.type, message: e.message }, e.type);
      } else {
        log({ error: String(e?.stack ?? e) });
        send(res, 500, { __type: 'InternalFailure', message: String(e?.message ?? e) }, 'InternalFailure');
      }
    }
  });
});
server.keepAliveTimeout = 60_000;

server.listen(config.port ?? 0, config.host ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  process.stdout.write(JSON.stringify({ listening: { host: address, port } }) + '\n');
});

// Never outlive the process that started us: it holds our stdin.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
