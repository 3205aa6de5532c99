// The session: a bearer token from `POST /auth/login`, kept in the
// browser's storage, and who it speaks for (`GET /auth/me`). A 401 from any
// call ends the session and sends the user back to the login page.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, onUnauthorized, storeToken, storedToken, unwrap, type Schemas } from "../api/client";

type Me = Schemas["Me"];

interface Auth {
  token: string | null;
  me: Me | null;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [me, setMe] = useState<Me | null>(null);

  const end = useCallback(() => {
    storeToken(null);
    setToken(null);
    setMe(null);
  }, []);

  useEffect(() => onUnauthorized(end), [end]);

  useEffect(() => {
    if (!token) return;
    let live = true;
    unwrap(api.GET("/auth/me"))
      .then((who) => live && setMe(who))
      .catch(() => {
        /* a 401 ends the session through onUnauthorized; other errors show on the pages */
      });
    return () => {
      live = false;
    };
  }, [token]);

  const login = useCallback(async (username: string, password: string) => {
    const reply = await unwrap(api.POST("/auth/login", { body: { username, password } }));
    storeToken(reply.token);
    setToken(reply.token);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.POST("/auth/logout");
    } finally {
      end();
    }
  }, [end]);

  const value = useMemo(() => ({ token, me, login, logout }), [token, me, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}
