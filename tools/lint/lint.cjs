#!/usr/bin/env node
// Lints template.yaml with cfn-lint and every statemachines/*.asl.json with asl-validator.
// Usage: node tools/lint/lint.cjs [template.yaml] [statemachines-dir]
// Prints one JSON report on stdout; exits 1 when anything outside the documented gaps is found.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const templatePath = path.resolve(process.argv[2] || path.join(root, 'template.yaml'));
const stateMachinesDir = path.resolve(process.argv[3] || path.join(root, 'statemachines'));
const gaps = JSON.parse(fs.readFileSync(path.join(__dirname, 'cfn-lint-known-gaps.json'), 'utf8')).gaps
  .map((g) => new RegExp(g.pattern));

// cfn-lint's 2019 spec does not know newer resource types (CloudFront KeyValueStore, Function,
// OriginAccessControl) and crashes on them. They are linted as custom resources instead (any
// attribute may be read, properties are not checked) and listed in the report as unchecked; the
// project's TemplateTest and the edge function's node test cover them.
function withNewerTypesAsCustom(file) {
  const spec = require('cfn-lint/data/aws_resources_specification.json');
  const text = fs.readFileSync(file, 'utf8');
  const types = [...text.matchAll(/^\s+Type:\s+(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\s*$/gm)].map((m) => m[1]);
  const unknown = [...new Set(types)].filter((t) => !t.startsWith('AWS::Serverless::') && !spec.ResourceTypes[t]);
  if (unknown.length === 0) return { file, unchecked: [] };
  let out = text;
  for (const t of unknown) {
    const custom = 'Custom::' + t.split('::').slice(1).join('');
    // A custom resource needs a ServiceToken; put one right after its Properties line.
    out = out.replace(new RegExp('^(\\s+)Type:\\s+' + t.replace(/:/g, '\\:') + '\\s*\\n(\\s+)Properties:\\s*\\n', 'gm'),
      (all, ind, pind) => `${ind}Type: ${custom}\n${pind}Properties:\n${pind}  ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:unlinted\n`);
  }
  const tmp = path.join(require('os').tmpdir(), `slipway-lint-${process.pid}.yaml`);
  fs.writeFileSync(tmp, out);
  return { file: tmp, unchecked: unknown };
}

function lintTemplate() {
  const cfnLint = require('cfn-lint/lib/api');
  const prepared = withNewerTypesAsCustom(templatePath);
  let result;
  try {
    result = cfnLint.validateFile(prepared.file);
  } finally {
    if (prepared.file !== templatePath) fs.rmSync(prepared.file, { force: true });
  }
  const all = ['crit', 'warn']
    .flatMap((level) => result.errors[level].map((e) => ({ level, text: `${e.resource}: ${e.message}` })));
  const knownGaps = all.filter((e) => gaps.some((g) => g.test(e.text)));
  const problems = all.filter((e) => !knownGaps.includes(e));
  return { file: templatePath, problems, knownGaps: knownGaps.map((e) => e.text), uncheckedTypes: prepared.unchecked };
}

// Definitions reference their tasks through DefinitionSubstitutions (${BuildFunctionArn} ...);
// asl-validator checks ARN shapes, so each placeholder becomes a well-formed ARN of its kind.
function substitutePlaceholders(text) {
  return text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name) => {
    if (/FunctionArn$/.test(name)) return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    if (/StateMachineArn$/.test(name)) return `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;
    if (/(Table|Bucket|Project|Name)$/.test(name)) return name;
    return `arn:aws:states:::${name}`;
  });
}

function lintStateMachines() {
  const validate = require('asl-validator');
  if (!fs.existsSync(stateMachinesDir)) return [];
  return fs.readdirSync(stateMachinesDir)
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((f) => {
      const file = path.join(stateMachinesDir, f);
      let definition;
      try {
        definition = JSON.parse(substitutePlaceholders(fs.readFileSync(file, 'utf8')));
      } catch (e) {
        return { file, problems: [`not JSON: ${e.message}`] };
      }
      const { isValid, errors } = validate(definition, { checkPaths: true, checkArn: true });
      return { file, problems: isValid ? [] : errors.map((e) => e.message || JSON.stringify(e)) };
    });
}

const report = { template: lintTemplate(), stateMachines: lintStateMachines() };
const failed = report.template.problems.length > 0 || report.stateMachines.some((s) => s.problems.length > 0);
report.ok = !failed;
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
process.exit(failed ? 1 : 0);
