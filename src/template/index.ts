// The template layer's public surface: rendering, expressions, variables.
export { contextError, type RenderContext } from './context.js';
export { checkTemplateSyntax, renderNative, renderString, renderTemplateFile, renderValue, TEMPLATE_RULES_DOC } from './render.js';
export { HELPER_DOCS, toYaml, yamlScalar } from './helpers.js';
export { checkExprSyntax, EXPR_SYNTAX_DOC, evalConditions, evaluate, truthy } from './expr.js';
export { EXPR_FUNCTIONS } from './expr-functions.js';
export {
  buildVars,
  groupMembers,
  inventoryLayers,
  magicVars,
  VAR_PRECEDENCE,
  VAR_PRECEDENCE_DOC,
  type MagicInput,
  type VarLayerName,
  type VarLayers,
} from './vars.js';
export { parseExtraVars } from './extra-vars.js';
