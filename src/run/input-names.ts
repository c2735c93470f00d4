/**
 * Every input of action.yml, by name, so the code never spells an input twice (the layout of
 * actions/upload-artifact's constants). These names are the action's public contract: add to
 * them, never rename.
 */
export enum Inputs {
  UserIds = 'user-ids',
  AmplitudeIds = 'amplitude-ids',
  UserIdsFile = 'user-ids-file',
  ApiKey = 'api-key',
  SecretKey = 'secret-key',
  BasicAuth = 'basic-auth',
  Region = 'region',
  ApiUrl = 'api-url',
  StartDate = 'start-date',
  EndDate = 'end-date',
  RequestIds = 'request-ids',
  Wait = 'wait',
  PollInterval = 'poll-interval',
  Timeout = 'timeout',
  MaxConcurrency = 'max-concurrency',
  Download = 'download',
  DownloadPath = 'download-path',
  ArtifactName = 'artifact-name',
  RetentionDays = 'retention-days',
  EncryptTo = 'encrypt-to',
  Workflow = 'workflow',
  WorkflowId = 'workflow-id',
  Inputs = 'inputs',
  CredentialOrigins = 'credential-origins',
  Ledger = 'ledger',
  LedgerLabel = 'ledger-label',
  GithubToken = 'github-token',
  CloseOnDone = 'close-on-done',
  LedgerRegime = 'ledger-regime',
  LedgerDueDays = 'ledger-due-days',
  SourceIntegrity = 'source-integrity',
  RequestType = 'request-type',
  ErasureApiKey = 'erasure-api-key',
  ErasureSecretKey = 'erasure-secret-key',
  ErasureRequester = 'erasure-requester'
}
