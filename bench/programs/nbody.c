/* nbody.c - benchmark: gravitational n-body simulation of a made-up planetary system (one
 * star, six planets on near-circular orbits, G = 1) with a symplectic Euler integrator.
 * Measures f64 arithmetic, sqrt and division over small arrays of structs. SIZE is the
 * number of time steps; prints the total energy before and after. Only + - * / and sqrt are
 * used (all correctly rounded by IEEE 754), so every machine computes the same bits. */
#include "bench_util.h"
#include <math.h>

#define NBODY_COUNT 7
#define NBODY_DT 0.001

typedef struct {
    double x, y, z;
    double vx, vy, vz;
    double mass;
} NbodyBody;

/* Places planet k (1-based) on a circular orbit of radius 1 + 0.7k around a unit-mass
 * star; the angle comes from a rational point on the unit circle (no sin/cos needed). */
static void nbody_place_planet(NbodyBody *body, int k) {
    double radius = 1.0 + 0.7 * k;
    double t = (double)k / 3.0 - 0.9;                /* rational parameter of the angle */
    double cos_a = (1.0 - t * t) / (1.0 + t * t);
    double sin_a = 2.0 * t / (1.0 + t * t);
    double speed = sqrt(1.0 / radius);
    body->x = radius * cos_a;
    body->y = radius * sin_a;
    body->z = 0.01 * k * (k % 2 ? 1.0 : -1.0);
    body->vx = -speed * sin_a;
    body->vy = speed * cos_a;
    body->vz = 0.0005 * k;
    body->mass = 0.0002 * (k + 1);
}

/* Builds the system and gives the star the momentum that makes the total zero. */
static void nbody_init(NbodyBody *bodies) {
    bodies[0] = (NbodyBody){ 0, 0, 0, 0, 0, 0, 1.0 };
    double px = 0, py = 0, pz = 0;
    for (int k = 1; k < NBODY_COUNT; k++) {
        nbody_place_planet(&bodies[k], k);
        px += bodies[k].vx * bodies[k].mass;
        py += bodies[k].vy * bodies[k].mass;
        pz += bodies[k].vz * bodies[k].mass;
    }
    bodies[0].vx = -px / bodies[0].mass;
    bodies[0].vy = -py / bodies[0].mass;
    bodies[0].vz = -pz / bodies[0].mass;
}

/* Kinetic plus potential energy of the system. */
static double nbody_energy(const NbodyBody *b) {
    double e = 0.0;
    for (int i = 0; i < NBODY_COUNT; i++) {
        e += 0.5 * b[i].mass * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < NBODY_COUNT; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            e -= b[i].mass * b[j].mass / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

/* One step: update every velocity from the pairwise forces, then every position. */
static void nbody_step(NbodyBody *b) {
    for (int i = 0; i < NBODY_COUNT; i++) {
        for (int j = i + 1; j < NBODY_COUNT; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            double dist2 = dx * dx + dy * dy + dz * dz;
            double scale = NBODY_DT / (dist2 * sqrt(dist2));
            double mi = b[i].mass * scale, mj = b[j].mass * scale;
            b[i].vx -= dx * mj;
            b[i].vy -= dy * mj;
            b[i].vz -= dz * mj;
            b[j].vx += dx * mi;
            b[j].vy += dy * mi;
            b[j].vz += dz * mi;
        }
    }
    for (int i = 0; i < NBODY_COUNT; i++) {
        b[i].x += NBODY_DT * b[i].vx;
        b[i].y += NBODY_DT * b[i].vy;
        b[i].z += NBODY_DT * b[i].vz;
    }
}

int main(int argc, char **argv) {
    int64_t steps = bench_size_arg(argc, argv, 3000000, 0, 1000000000);
    NbodyBody bodies[NBODY_COUNT];
    nbody_init(bodies);
    printf("energy before %.12f\n", nbody_energy(bodies));
    for (int64_t s = 0; s < steps; s++)
        nbody_step(bodies);
    printf("energy after  %.12f (%lld steps)\n", nbody_energy(bodies), (long long)steps);
    return 0;
}
