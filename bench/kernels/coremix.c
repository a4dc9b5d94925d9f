/* A CoreMark-like mix of our own (CoreMark's source is third-party and not
 * vendored): per iteration, a linked list (build, find, reverse, insertion
 * sort), a 12x12 integer matrix product with a bit-field reduction, a state
 * machine classifying the tokens of a text buffer, and a CRC-16 over all
 * their results. No libc, no floats: the same C builds natively (gcc) and to
 * wasm (clang), and coremix_run returns the same checksum on both, which the
 * benchmarks compare before trusting a figure. */
#include <stdint.h>

#if defined(__wasm__)
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

/* ---- CRC-16 (CCITT), bit by bit, as CoreMark's crcu8 -------------------------- */
static uint16_t crc16_byte(uint8_t data, uint16_t crc) {
  for (int i = 0; i < 8; ++i) {
    uint16_t mix = (uint16_t)((crc ^ data) & 1u);
    crc >>= 1;
    if (mix) crc ^= 0xA001u;
    data >>= 1;
  }
  return crc;
}
static uint16_t crc16_u32(uint32_t v, uint16_t crc) {
  for (int i = 0; i < 4; ++i) crc = crc16_byte((uint8_t)(v >> (8 * i)), crc);
  return crc;
}

/* ---- linked list ----------------------------------------------------------------- */
#define NODES 64
typedef struct node {
  struct node* next;
  int32_t value;
  uint16_t index;
} node;
static node pool[NODES];

static node* list_build(uint32_t seed) {
  node* head = 0;
  for (int i = 0; i < NODES; ++i) {
    seed = seed * 1103515245u + 12345u;
    pool[i].value = (int32_t)((seed >> 16) & 0x3FFF) - 0x2000;
    pool[i].index = (uint16_t)i;
    pool[i].next = head;
    head = &pool[i];
  }
  return head;
}
static const node* list_find(const node* n, int32_t value) {
  while (n && n->value != value) n = n->next;
  return n;
}
static node* list_reverse(node* n) {
  node* out = 0;
  while (n) {
    node* next = n->next;
    n->next = out;
    out = n;
    n = next;
  }
  return out;
}
static node* list_sort(node* n) { /* insertion sort by value, then index */
  node* sorted = 0;
  while (n) {
    node* next = n->next;
    node** at = &sorted;
    while (*at && ((*at)->value < n->value || ((*at)->value == n->value && (*at)->index < n->index))) at = &(*at)->next;
    n->next = *at;
    *at = n;
    n = next;
  }
  return sorted;
}
static uint16_t bench_list(uint32_t seed, uint16_t crc) {
  node* head = list_build(seed);
  int found = 0;
  for (int i = 0; i < 8; ++i) found += list_find(head, pool[(seed + (uint32_t)i * 7u) % NODES].value) != 0;
  found += list_find(head, 0x7FFFFFFF) != 0;
  head = list_sort(list_reverse(head));
  for (const node* n = head; n; n = n->next) crc = crc16_u32((uint32_t)n->value ^ n->index, crc);
  return crc16_u32((uint32_t)found, crc);
}

/* ---- matrix --------------------------------------------------------------------- */
#define DIM 12
static int16_t mat_a[DIM][DIM], mat_b[DIM][DIM];
static int32_t mat_c[DIM][DIM];
static uint16_t bench_matrix(uint32_t seed, uint16_t crc) {
  for (int i = 0; i < DIM; ++i) {
    for (int j = 0; j < DIM; ++j) {
      seed = seed * 1664525u + 1013904223u;
      mat_a[i][j] = (int16_t)((seed >> 20) - 2048);
      mat_b[i][j] = (int16_t)((seed >> 8) & 0xFFF);
    }
  }
  for (int i = 0; i < DIM; ++i) {
    for (int j = 0; j < DIM; ++j) {
      int32_t sum = 0;
      for (int k = 0; k < DIM; ++k) sum += (int32_t)mat_a[i][k] * mat_b[k][j];
      mat_c[i][j] = sum + (int32_t)seed;
    }
  }
  uint32_t bits = 0;
  for (int i = 0; i < DIM; ++i) {
    for (int j = 0; j < DIM; ++j) bits += ((uint32_t)mat_c[i][j] >> 2) & 0xF;
  }
  return crc16_u32(bits ^ (uint32_t)mat_c[DIM - 1][DIM - 1], crc);
}

/* ---- state machine: tokens of a text --------------------------------------------- */
enum { S_START, S_INT, S_HEX0, S_HEX, S_FLOAT, S_EXP, S_INVALID, S_COUNT };
static const char text[] =
    "5012,1234,-874,+122,0x1f3A,0xdead,3.14159,-0.5e-3,12e4,1.0E+2,abc,12x,0x,-.,"
    "7,-90,0xC0FFEE,+6.02e23,1e,8.8.8,99,0x7fffffff,-1,2.5,0.0,x1,4096,";
static uint16_t bench_state(uint32_t seed, uint16_t crc) {
  uint32_t counts[S_COUNT] = {0};
  int state = S_START;
  uint32_t length = 0;
  for (uint32_t at = 0; text[at]; ++at) {
    /* Flip one character per pass so the input varies with the seed. */
    char c = at == seed % (sizeof text - 1) ? '.' : text[at];
    if (c == ',') {
      if (length) ++counts[state];
      state = S_START;
      length = 0;
      continue;
    }
    ++length;
    switch (state) {
      case S_START:
        state = (c >= '0' && c <= '9') || c == '+' || c == '-' ? S_INT : c == '.' ? S_FLOAT : S_INVALID;
        if (c == '0' && text[at + 1] == 'x') state = S_HEX0;
        break;
      case S_HEX0: state = c == 'x' ? S_HEX : S_INVALID; break;
      case S_HEX:
        state = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ? S_HEX : S_INVALID;
        break;
      case S_INT: state = c >= '0' && c <= '9' ? S_INT : c == '.' ? S_FLOAT : c == 'e' || c == 'E' ? S_EXP : S_INVALID; break;
      case S_FLOAT: state = c >= '0' && c <= '9' ? S_FLOAT : c == 'e' || c == 'E' ? S_EXP : S_INVALID; break;
      case S_EXP: state = (c >= '0' && c <= '9') || c == '+' || c == '-' ? S_EXP : S_INVALID; break;
      default: break;
    }
  }
  for (int s = 0; s < S_COUNT; ++s) crc = crc16_u32(counts[s], crc);
  return crc;
}

EXPORT("coremix_setup") void coremix_setup(void) {}

EXPORT("coremix_run") uint32_t coremix_run(uint32_t iterations) {
  uint16_t crc = 0;
  for (uint32_t i = 0; i < iterations; ++i) {
    uint32_t seed = i * 2654435761u + 1u;
    crc = bench_list(seed, crc);
    crc = bench_matrix(seed, crc);
    crc = bench_state(seed, crc);
  }
  return crc;
}
