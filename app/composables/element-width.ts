import type { Ref } from 'vue'

/**
 * The rendered width of an element in CSS pixels, kept up to date (ResizeObserver). Charts draw in
 * these units, so their text stays the same size on a phone as on a desktop instead of scaling.
 */
export function useElementWidth(element: Ref<HTMLElement | undefined>, fallback: number): Ref<number> {
  const width = ref(fallback)
  let observer: ResizeObserver | undefined
  onMounted(() => {
    if (!element.value || typeof ResizeObserver === 'undefined') return
    width.value = element.value.clientWidth || fallback
    observer = new ResizeObserver(([entry]) => {
      if (entry && entry.contentRect.width > 0) width.value = Math.round(entry.contentRect.width)
    })
    observer.observe(element.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
