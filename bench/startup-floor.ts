/**
 * The start-up floor of an action built on @actions/core (the user's design card says keep it): the
 * library bundled by ncc as the action is, one input read, one request. bench/startup.ts builds it
 * into a scratch folder and times it from spawn to that request, beside the action.
 */
import * as core from '@actions/core'
import { get } from 'node:http'

get(core.getInput('api-url', { required: true }), response => response.resume())
