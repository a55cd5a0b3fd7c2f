import { defineEventHandler } from 'h3'
import { useApp } from '../../app-context'
import { datasetStats } from '../../dataset/dataset-images'

export default defineEventHandler(async () => datasetStats((await useApp()).store))
