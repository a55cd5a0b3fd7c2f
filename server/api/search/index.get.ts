import { defineEventHandler, getQuery } from 'h3'
import { answerSearch } from '../../http/search-request'

export default defineEventHandler((event) => answerSearch(event, getQuery(event)))
