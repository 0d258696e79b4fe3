import { AuthForm } from "../_components/AuthForm";

export default function LoginPage() {
  return <AuthForm mode="login" />;
}
