/** The built-in documents the action ships, and which of their workflows serves each mode. */
/** The built-in documents, and which of their workflows serves each mode. */
export const BUILTIN_WORKFLOWS = {
  amplitude: {
    file: 'amplitude.arazzo.yml',
    submitAndPoll: 'submit-and-poll',
    submit: 'submit',
    // `wait: false`: submit, then read the status once (the create answer carries none).
    submitAndCheck: 'submit-and-check',
    poll: 'poll',
    status: 'status',
    oneSubjectPerRequest: true,
    requestIdShape: 'digits'
  },
  'apis-io': {
    file: 'apis-io.arazzo.yml',
    submitAndPoll: 'submit-and-poll-dsar',
    submit: 'submit-dsar',
    // The seed contract's create answer carries the status already.
    submitAndCheck: 'submit-dsar',
    poll: 'poll-dsar',
    status: 'status-dsar',
    oneSubjectPerRequest: false,
    requestIdShape: 'token'
  }
} as const
