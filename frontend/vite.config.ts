import { defineConfig } from 'vitest/config';

// The API is served by `repere serve` on the same origin; in `vite dev`, proxy it.
export default defineConfig({
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
    sourcemap: true,
    rollupOptions: {
      input: { main: 'index.html', connexion: 'connexion.html', contribuer: 'contribuer.html', remontees: 'mes-remontees.html', moderation: 'moderation.html', reseaux: 'reseaux.html', tableau: 'tableau-de-bord.html', debit: 'debit.html', etablissement: 'etablissement.html', motdepasse: 'mot-de-passe.html', invitation: 'invitation.html', comptes: 'comptes.html', preferences: 'preferences.html', intentions: 'intentions.html', intention: 'intention.html', redaction: 'lettre-redaction.html', abonnement: 'abonnement.html' },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
